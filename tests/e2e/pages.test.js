// Browser tests: the real binary serving a demo database, Debian's chromium driven by
// playwright-core, axe-core on every page, and one walk with the keyboard only.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { BIN, PASSWORD, SHOTS, londonDate, freePort, waitFor, startDemo, axe } = require('./support');
const support = require('./support');

let base, browser, demo;

before(async () => {
  demo = await startDemo();
  ({ base, browser } = demo);
});

after(async () => {
  if (demo) await demo.stop();
});

async function newPage() {
  return support.newPage(browser);
}

async function signIn(page, role, at = base, username = `demo.${role}`) {
  return support.signIn(page, role, at, username);
}

async function firstPerson(page) {
  await page.goto(`${base}/people?q=G0`);
  const href = await page.getAttribute('table a.govuk-link', 'href');
  assert.ok(href && href.startsWith('/people/'), 'a search finds someone');
  return href;
}

test('every page passes axe, for several roles', async () => {
  const page = await newPage();
  await page.goto(`${base}/sign-in`);
  await axe(page, 'sign in');
  await page.click('button[type=submit]');
  assert.match(await page.textContent('.govuk-error-summary'), /Enter your username and password/);
  await axe(page, 'sign in with an error');

  await signIn(page, 'reception-nurse');
  await axe(page, 'home');
  await page.goto(`${base}/people`);
  await axe(page, 'find a person');
  const person = await firstPerson(page);
  await axe(page, 'search results');
  await page.goto(`${base}${person}`);
  await axe(page, 'person (nurse)');
  await page.goto(`${base}${person}/record`);
  await axe(page, 'record an event');
  await page.fill('#time', '99:99');
  await page.click('main form button[type=submit]');
  assert.match(await page.title(), /^Error: /);
  await axe(page, 'record an event with errors');
  await page.goto(`${base}/caseload`);
  await axe(page, 'caseload');
  await page.goto(`${base}/worklist?when=all`);
  await axe(page, 'worklist');
  await page.goto(`${base}/nowhere`);
  await axe(page, 'page not found');

  const admin = await newPage();
  await signIn(admin, 'administrator');
  await admin.goto(`${base}${person}/audit`);
  assert.match(await admin.textContent('main'), /Demo Reception nurse or healthcare/);
  await axe(admin, 'who viewed a record');
  await admin.goto(`${base}/reports/standards?establishment=AAB`);
  assert.match(await admin.textContent('h1'), /Standards compliance: HMP /);
  await axe(admin, 'standards compliance report');
});

test('a key worker finds a person, records key work and sees it, without clinical detail', async () => {
  const page = await newPage();
  await signIn(page, 'key-worker');
  const person = await firstPerson(page);
  await page.goto(`${base}${person}?show=health`);
  const text = await page.textContent('main');
  assert.doesNotMatch(text, /screen \(NICE NG57\) completed/, 'no screening detail for a key worker');
  assert.doesNotMatch(text, /Religion or belief/, 'religion is need-to-know');
  assert.match(text, /Health care contact \(details for clinical staff\)/);
  await page.goto(`${base}${person}`);

  await page.click('text=Record an event');
  await page.selectOption('#kind', 'key_work_session');
  // Two days before the application's clock, in London's calendar: valid whatever the hour.
  const [d, m, y] = londonDate(2);
  await page.fill('#date-day', d);
  await page.fill('#date-month', m);
  await page.fill('#date-year', y);
  await page.fill('#time', '11:20');
  await page.fill('#minutes', '47');
  await page.click('main form button[type=submit]');
  await page.waitForURL(`${base}${person}`);
  assert.match(await page.textContent('.govuk-notification-banner--success'), /The event has been recorded/);
  await axe(page, 'person with a success banner');
  const timeline = await page.textContent('[aria-label="Timeline"] table');
  assert.match(timeline, /Key work session with Demo Key worker: 47 minutes/);
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  assert.match(timeline, new RegExp(`${d} ${months[m - 1]} ${y} at 11:20am`), 'entered and shown in London time');

  const nurse = await newPage();
  await signIn(nurse, 'reception-nurse');
  await nurse.goto(`${base}${person}?show=health`);
  assert.match(await nurse.textContent('main'), /completed/, 'a nurse sees the screening');
});

test('the keyboard alone signs in, finds a person and records an event', async () => {
  const page = await newPage();
  await page.goto(`${base}/sign-in`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Skip to main content');
  const tabTo = async (predicate, what) => {
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(predicate)) return;
    }
    throw new Error(`Tab never reached ${what}`);
  };
  await tabTo(() => document.activeElement.id === 'username', 'the username');
  await page.keyboard.type('demo.safer-custody');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${base}/`);
  await tabTo(() => document.activeElement.textContent.trim() === 'Find a person', 'Find a person');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${base}/people`);
  await tabTo(() => document.activeElement.id === 'q', 'the search box');
  await page.keyboard.type('G0');
  await page.keyboard.press('Enter');
  await page.waitForURL(/q=G0/);
  await tabTo(() => document.activeElement.closest('table') && document.activeElement.tagName === 'A', 'the first result');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/people\/[A-Z0-9]{7}$/);
  await tabTo(() => document.activeElement.textContent.trim() === 'Record an event', 'Record an event');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/record$/);
  await tabTo(() => document.activeElement.id === 'kind', 'what happened');
  await page.keyboard.type('ACCT opened');
  // Yesterday by the application's clock, so 08:05 is in the past at 00:30 and at 23:30 alike.
  const [d, m, y] = londonDate(1);
  await tabTo(() => document.activeElement.id === 'date-day', 'the day');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(d);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(m);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(y);
  await tabTo(() => document.activeElement.id === 'time', 'the time');
  await page.keyboard.type('08:05');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/people\/[A-Z0-9]{7}$/);
  assert.match(await page.textContent('[aria-label="Timeline"] table'), /ACCT opened/);
});

// Each role signs in to the demo and finds its own work on its home page; every page its
// navigation offers passes axe, and nothing scrolls sideways at 1280 or 390 pixels.
const OWN_WORK = {
  'reception-officer': 'Received in the last 24 hours', 'reception-nurse': 'Overdue and due today', 'mental-health': 'Referrals waiting', 'key-worker': 'Your people', 'key-work-manager': 'Overdue and due today',
  'safer-custody': 'Open ACCT cases', 'listener-coordinator': 'Waiting for a Listener', 'mbu-officer': 'Overdue and due today', 'equality-lead': 'Discrimination complaints',
  chaplaincy: 'requests waiting', resettlement: 'Releases in the next 12 weeks', 'voluntary-partner': 'Sessions you recorded',
  governor: 'Equality findings', analyst: 'Equality findings', administrator: 'Latest entries in the audit trail',
  'scrutiny-panel': 'Samples to review',
};

for (const [role, section] of Object.entries(OWN_WORK)) {
  test(`${role}: own work on the home page, every offered page accessible at 1280 and 390 px`, async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, role);
    const work = page.locator('.app-section', { has: page.locator('h2', { hasText: section }) });
    assert.equal(await work.count(), 1, `${role} has a "${section}" section`);
    const rows = await work.locator('tbody tr').count();
    assert.ok(rows >= 1, `${role} has at least one item of its own work under "${section}"`);
    const links = await page.$$eval('nav.govuk-service-navigation__wrapper a', (as) => as.map((a) => a.getAttribute('href')));
    for (const href of links) {
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 });
        const res = await page.goto(`${base}${href}`);
        assert.equal(res.status(), 200, `${role} ${href}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${role} ${href} scrolls sideways by ${overflow}px at ${width}px`);
        await page.screenshot({ path: path.join(SHOTS, `${role}${href.replace(/\W+/g, '-')}-${width}.png`), fullPage: true });
        await axe(page, `${role} ${href} at ${width}px`);
      }
    }
    await context.close();
  });
}

test('an analyst reads the equality report, and explains or reforms what it flags', async () => {
  // Its own database: an estate where use of force is planted at three times the rate for Black people,
  // an analyst, and the report run once from the command line (which records the findings).
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'throughcare-eq-'));
  const db = `sqlite://${d}/eq.db`;
  const cli = (...args) => execFileSync(BIN, ['--database-url', db, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  cli('seed', '--people', '2500', '--establishments', '4', '--outcomes', 'planted-use-of-force', '--end', '2026-03-31');
  cli('user', 'add', 'eq.analyst', '--name', 'Equality Analyst', '--role', 'analyst', '--password', PASSWORD);
  cli('report', 'equality', '--establishment', 'estate', '--period', '2025-04-01..2026-03-31', '--publish', '--output', `${d}/published.html`);
  const port = await freePort();
  const at = `http://127.0.0.1:${port}`;
  const eq = spawn(BIN, ['--database-url', db, 'serve', '--addr', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const file = await newPage();
    await file.goto(`file://${d}/published.html`);
    assert.match(await file.textContent('h1'), /Equality report: The estate/);
    await axe(file, 'the published report file');

    const page = await newPage();
    await waitFor(`${at}/healthz`);
    await signIn(page, 'analyst', at, 'eq.analyst');
    await page.goto(`${at}/reports/equality?scope=estate&from=2025-04-01&to=2026-03-31`);
    const flags = await page.textContent('table:has(caption:text("Flagged differences"))');
    assert.match(flags, /Use of force/);
    assert.match(flags, /Black, Black British, Caribbean or African/);
    assert.match(await page.textContent('.govuk-inset-text'), /indicates further investigation/);
    await axe(page, 'equality report (internal)');
    await page.goto(`${at}/reports/equality?scope=estate&from=2025-04-01&to=2026-03-31&view=published&measure=self-harm`);
    assert.match(await page.textContent('main'), /published version/);
    await axe(page, 'equality report (published)');
    await page.goto(`${at}/reports/equality?scope=estate&from=2025-04-01&to=2025-13-01`);
    assert.match(await page.title(), /^Error: /);
    await axe(page, 'equality report with an error');

    await page.goto(`${at}/findings`);
    await axe(page, 'findings');
    await page.click('table a.govuk-link >> nth=0');
    await page.waitForURL(/\/findings\/\d+$/);
    await axe(page, 'a finding');
    // A review before any explanation or reform is refused beside the field.
    await page.fill('#outcome', 'Looked at it');
    await page.click('form:has(#outcome) button');
    assert.match(await page.textContent('#outcome-error'), /cannot be marked reviewed/);
    await axe(page, 'a finding with an error');
    await page.fill('#owner', 'eq.analyst');
    await page.click('form:has(#owner) button');
    await page.fill('#actions', 'Review every planned use of force with body-worn video');
    await page.fill('#review_by-day', '31');
    await page.fill('#review_by-month', '3');
    await page.fill('#review_by-year', '2099');
    await page.click('form:has(#actions) button');
    const summary = await page.textContent('.govuk-summary-list');
    assert.match(summary, /Reform planned/);
    assert.match(summary, /eq\.analyst/);
    assert.match(await page.textContent('main'), /review by 31 March 2099/);
  } finally {
    eq.kill();
    fs.rmSync(d, { recursive: true, force: true });
  }
});
