// The governor's annual equality report in the browser: the equality lead sets an objective
// (refused without an owner), records an expert by experience, and drafts the report; the
// governor's first attempt to sign is refused naming the sections still to write; once written,
// the governor signs; the published version is read by anyone, printed to PDF through Chromium,
// and the PDF's text holds the three aims and the statistical annex. A finding's history shows
// its trend. Outcome measures per quarter. axe-core at 1280 and 390 pixels on every page.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startDemo, newPage, checkWidths, signedIn, axe } = require('./support');

let demo;

before(async () => {
  demo = await startDemo();
});

after(async () => {
  if (demo) await demo.stop();
});

const as = (role) => signedIn(demo, role);

async function fillDate(page, prefix, d, m, y) {
  await page.fill(`#${prefix}-day`, d);
  await page.fill(`#${prefix}-month`, m);
  await page.fill(`#${prefix}-year`, y);
}

/** The text of a PDF's pages, read with pypdf from the test oracles' Python, as far as the last
 * page holding one of `needles` (the annex's tables follow for many pages). Ligatures unfolded. */
function pdfText(file, needles) {
  const python = process.env.THROUGHCARE_PYTHON || 'python3';
  const script = [
    'import sys, json, unicodedata, pypdf',
    'r = pypdf.PdfReader(sys.argv[1]); needles = json.loads(sys.argv[2]); seen = ""',
    'for p in r.pages:',
    '    seen += " " + " ".join(unicodedata.normalize("NFKC", p.extract_text()).split())',
    '    if all(n in seen for n in needles): break',
    'print(len(r.pages)); print(seen)',
  ].join('\n');
  return execFileSync(python, ['-c', script, file, JSON.stringify(needles)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

// axe over the document and the first measures of its annex: the rest of the annex is the same
// template again (the equality report's own pages check it), and the whole of it takes minutes.
const FIRST_MEASURES = { exclude: [['section.app-measure ~ section.app-measure ~ section.app-measure ~ section.app-measure']] };

test('the equality lead drafts the annual report, the governor signs it, and it is published and printed', async () => {
  const base = demo.base;
  const lead = await as('equality-lead');

  await lead.goto(`${base}/equality-objectives`);
  await checkWidths(lead, 'equality objectives');
  await lead.selectOption('#aim', 'ELIMINATE_DISCRIMINATION');
  await lead.fill('#objective', 'Every discrimination complaint answered within 28 days, whoever makes it');
  await fillDate(lead, 'set_on', '1', '4', '2026');
  await fillDate(lead, 'review_by', '1', '4', '2029');
  await lead.click('button:has-text("Set the objective")');
  assert.match(await lead.textContent('#owner-error'), /Enter who owns the objective/);
  assert.match(await lead.title(), /^Error: /);
  await checkWidths(lead, 'equality objectives with an error');
  await lead.fill('#owner', 'Deputy governor');
  await lead.click('button:has-text("Set the objective")');
  await lead.waitForURL(`${base}/equality-objectives`);
  assert.match(await lead.textContent('main'), /Every discrimination complaint answered within 28 days/);

  await lead.goto(`${base}/experts-by-experience`);
  await lead.fill('#who', 'A former resident, now a peer worker');
  await lead.fill('#lived_experience', 'Mental ill health in custody');
  await lead.selectOption('#area', 'COMPLAINTS_PANEL');
  await fillDate(lead, 'on', '12', '3', '2026');
  await lead.fill('#what', 'Sat on the complaints scrutiny panel');
  await lead.fill('#changed', 'Answers now say what will change, in plain words');
  await lead.click('button:has-text("Record it")');
  await lead.waitForURL(`${base}/experts-by-experience`);
  await checkWidths(lead, 'experts by experience');

  // The report for the last full year: the lead writes only the first section, then saves.
  await lead.goto(`${base}/annual-reports`);
  await checkWidths(lead, 'annual reports');
  await lead.click('button:has-text("Start the report")');
  await lead.waitForURL(/\/annual-reports\/\d+$/);
  const draft = lead.url();
  await lead.fill('#due_regard', 'Equality was an item at every senior team meeting. The governor changed the allocation of education places after the forum raised it.');
  await lead.click('button:has-text("Save the draft")');
  await lead.waitForSelector('.govuk-notification-banner--success');
  assert.match(await lead.textContent('.govuk-notification-banner--success'), /The draft has been saved/);
  await checkWidths(lead, 'annual report draft');

  // The governor cannot sign it yet: every missing section is named.
  const governor = await as('governor');
  await governor.goto(draft);
  await governor.click('button:has-text("Sign and publish")');
  await governor.waitForSelector('.govuk-error-summary');
  const summary = await governor.textContent('.govuk-error-summary');
  assert.match(summary, /The report cannot be signed yet/);
  for (const s of ['Aim 1: eliminate unlawful discrimination', 'Aim 2: advance equality of opportunity', 'Aim 3: foster good relations', 'Our plan for involving experts by experience']) {
    assert.ok(summary.includes(s), `${s} is named`);
  }
  assert.ok(!summary.includes('How we had due regard'), 'the written section is not named');
  await checkWidths(governor, 'annual report refused for signing');

  await lead.goto(draft);
  await lead.fill('#eliminate_discrimination', 'Every complaint was answered, and the scrutiny panel read a sample each quarter.');
  await lead.fill('#advance_equality', 'Referrals to in-reach were reviewed by ethnic group each month; reception nurses were trained.');
  await lead.fill('#foster_relations', 'The race equality forum met and its actions were done; festivals were marked as people chose.');
  await lead.fill('#experts_plan', 'Two places on every policy group, paid, and a seat on the scrutiny panel.');
  await lead.click('button:has-text("Save the draft")');
  await lead.waitForSelector('.govuk-notification-banner--success');

  await governor.goto(`${draft}/preview`);
  assert.match(await governor.textContent('main'), /Preview/);
  await governor.goto(draft);
  await governor.click('button:has-text("Sign and publish")');
  await governor.waitForURL(/\/published-reports\/\d+$/);
  const published = governor.url();

  // Anyone reads it, without signing in.
  const reader = await newPage(demo.browser, { width: 1280, height: 900 });
  await reader.goto(`${base}/published-reports`);
  await axe(reader, 'published reports');
  assert.match(await reader.textContent('main'), /Published/);
  await reader.goto(published);
  const text = await reader.textContent('main');
  for (const s of ['Aim 1: eliminate unlawful discrimination', 'Aim 2: advance equality of opportunity', 'Aim 3: foster good relations', 'Statistical annex', 'Every discrimination complaint answered within 28 days', 'Answers now say what will change', 'Signed by Demo Governor']) {
    assert.ok(text.includes(s), `${s} in the published report`);
  }
  await checkWidths(reader, 'published annual report', { fullPage: false, axeContext: FIRST_MEASURES });

  // Printed through the browser: the print stylesheet, and the PDF's text holds the aims and annex.
  await reader.emulateMedia({ media: 'print' });
  const pdf = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'throughcare-pdf-')), 'report.pdf');
  await reader.pdf({ path: pdf, format: 'A4', printBackground: true });
  const needles = ['Aim 1: eliminate unlawful discrimination', 'Aim 2: advance equality of opportunity', 'Aim 3: foster good relations', 'Statistical annex', 'Differences that indicate further investigation'];
  const printed = pdfText(pdf, needles);
  const pages = Number(printed.split('\n')[0]);
  assert.ok(pages > 3, `the PDF has ${pages} pages`);
  for (const s of needles) {
    assert.ok(printed.includes(s), `${s} in the PDF`);
  }
  fs.copyFileSync(pdf, path.join(require('./support').SHOTS, 'published-annual-report.pdf'));

  // A table of it as CSV.
  const csv = await (await fetch(`${published}/statistical-annex.csv`)).text();
  assert.match(csv.split('\n')[0], /^scope,period_from,period_to,published,/);
});

test('a finding shows its trend, and outcome measures are reported per quarter', async () => {
  const base = demo.base;
  const governor = await as('governor');
  await governor.goto(`${base}/findings`);
  const link = await governor.getAttribute('main table a.govuk-link', 'href');
  assert.ok(link, 'the demo has findings');
  await governor.goto(`${base}${link}`);
  assert.match(await governor.textContent('main'), /Year by year/);
  assert.ok(await governor.$('svg[role="img"] title'), 'the trend chart has a text alternative');
  await checkWidths(governor, 'finding with its trend');

  await governor.goto(`${base}/reports/proms`);
  assert.match(await governor.textContent('h1'), /Outcome measures, quarter by quarter/);
  assert.match(await governor.textContent('main'), /First-stage reception health screen before the first night/);
  await checkWidths(governor, 'outcome measures');
});
