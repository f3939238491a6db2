// What every browser test shares: the real binary serving a demo database, Debian's chromium
// driven by playwright-core, sign-in as a demo role, and axe-core over a page.
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const BIN = process.env.THROUGHCARE_BIN || path.resolve(__dirname, '../../target/debug/throughcare');
const PASSWORD = 'e2e demo password';
// The application's clock for the whole run: nothing here reads the wall clock. CI runs the suite
// at 00:30 and 23:30 London time, in winter and in summer (.ci/run sets THROUGHCARE_E2E_NOW).
const NOW = new Date(process.env.THROUGHCARE_E2E_NOW || '2026-12-02T08:30:00Z');
const SHOTS = process.env.THROUGHCARE_E2E_SHOTS || fs.mkdtempSync(path.join(os.tmpdir(), 'throughcare-shots-'));

/** The London calendar date `days` before NOW, as [day, month, year]. */
function londonDate(days) {
  const t = new Date(NOW.getTime() - days * 86400000);
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'numeric', year: 'numeric' }).formatToParts(t);
  const get = (type) => parts.find((p) => p.type === type).value;
  return [get('day'), get('month'), get('year')];
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function waitFor(url, attempts = 300) {
  // Counted attempts 200 ms apart (about a minute): no reading of the wall clock.
  for (let i = 0; i < attempts; i++) {
    try { if ((await fetch(url)).ok) return; } catch (_) { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer`);
}

/** Starts a demo server on its own database (`db`, for the CLI) and a browser; `stop()` ends both.
 * With THROUGHCARE_E2E_TEMPLATE (a demo database seeded at the same NOW, as .ci/run makes once per
 * clock), each file starts from a copy of it instead of seeding its own. */
async function startDemo() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'throughcare-e2e-'));
  const template = process.env.THROUGHCARE_E2E_TEMPLATE;
  if (template) {
    for (const suffix of ['', '-wal']) {
      if (fs.existsSync(template + suffix)) fs.copyFileSync(template + suffix, `${dir}/demo.db${suffix}`);
    }
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(BIN, ['--database-url', `sqlite://${dir}/demo.db`, 'demo', '--addr', `127.0.0.1:${port}`, '--password', PASSWORD, '--now', NOW.toISOString()],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitFor(`${base}/healthz`);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const stop = async () => {
    await browser.close();
    server.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { base, browser, stop, db: `sqlite://${dir}/demo.db` };
}

/** A page whose Content-Security-Policy lets axe's injected script run. */
async function newPage(browser, viewport) {
  const context = await browser.newContext({ bypassCSP: true, ...(viewport ? { viewport } : {}) });
  return context.newPage();
}

async function signIn(page, role, at, username = `demo.${role}`) {
  await page.goto(`${at}/sign-in`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`${at}/`);
}

/** A new desktop-width page signed in as a demo role (or a named account) of `demo`. */
async function signedIn(demo, role, username) {
  const page = await newPage(demo.browser, { width: 1280, height: 900 });
  await signIn(page, role, demo.base, username);
  return page;
}

/** axe-core over the page, or over `context` (axe's include/exclude) when given. */
async function axe(page, name, context) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await page.evaluate((ctx) => axe.run(ctx || document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }), context);
  const problems = result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(problems, [], `${name} has accessibility violations`);
}

/** axe, no sideways scrolling, and a screenshot, at 1280 and at 390 pixels. A very long page (a
 * whole published report) is shot as far as the screen shows: Chromium cannot capture it whole. */
async function checkWidths(page, name, { fullPage = true, axeContext } = {}) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow}px at ${width}px`);
    await page.screenshot({ path: path.join(SHOTS, `${name.replace(/\W+/g, '-')}-${width}.png`), fullPage });
    await axe(page, `${name} at ${width}px`, axeContext);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** A reception officer books a new person in at their establishment. */
async function bookIn(officer, base, pn, given, family, type = 1) {
  if (type === 1) {
    await officer.goto(`${base}/reception/book-in`);
    await officer.fill('#prison_number', pn);
    await officer.fill('#given_name', given);
    await officer.fill('#family_name', family);
    await officer.fill('#dob-day', '3');
    await officer.fill('#dob-month', '9');
    await officer.fill('#dob-year', '1990');
  } else {
    await officer.goto(`${base}/reception?prison_number=${pn}`);
    await officer.click(`a[href="/reception/book-in?pn=${pn}"]`);
  }
  await officer.check(`#reception_type-${type}`);
  await officer.check('#legal_status-3');
  await officer.click('button:has-text("Book in")');
  await officer.waitForURL(`${base}/people/${pn}`);
}

module.exports = { BIN, PASSWORD, NOW, SHOTS, londonDate, freePort, waitFor, startDemo, newPage, signIn, signedIn, axe, checkWidths, bookIn };
