// ACCT in the browser, each step by the role that does it: a key worker records self-harm and
// opens an ACCT; safer custody holds the assessment and two case reviews with a care plan,
// closes it and holds the post-closure review; then a person with an open ACCT is transferred
// and the receiving prison reviews it on arrival. axe-core and both widths on every page.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { BIN, PASSWORD, londonDate, startDemo, checkWidths, bookIn: bookInAt, signedIn } = require('./support');

let demo;

before(async () => {
  demo = await startDemo();
});

after(async () => {
  if (demo) await demo.stop();
});

const bookIn = (officer, ...rest) => bookInAt(officer, demo.base, ...rest);

const as = (role, username) => signedIn(demo, role, username);

/** Fills and saves a case review. */
async function review(sc, { healthcare, next }) {
  await sc.fill('#attended', healthcare ? 'wing officer, a nurse, the person' : 'wing officer, the person');
  if (healthcare) await sc.check('#healthcare_present'); else await sc.uncheck('#healthcare_present');
  await sc.check('#person_present');
  await sc.selectOption('#observations_day', 'HOURLY');
  await sc.selectOption('#observations_night', 'TWO_HOURLY');
  await sc.fill('#conversations_day', '2');
  await sc.fill('#conversations_night', '0');
  await sc.fill('#next-day', next[0]);
  await sc.fill('#next-month', next[1]);
  await sc.fill('#next-year', next[2]);
  await sc.click('button:has-text("Save the review")');
  assert.match(await sc.textContent('.govuk-notification-banner'), /The ACCT has been updated/);
}

test('an ACCT from self-harm through reviews and a care plan to its post-closure review', async () => {
  const officer = await as('reception-officer');
  await bookIn(officer, 'Q5555QQ', 'Bea', 'Quinn');

  const kw = await as('key-worker');
  await kw.goto(`${demo.base}/people/Q5555QQ`);
  await kw.click('text=Record self-harm');
  await checkWidths(kw, 'self-harm');
  await kw.check('#method-1');
  await kw.check('#severity-2');
  await kw.click('button:has-text("Save")');
  assert.match(await kw.textContent('.govuk-error-summary'), /Choose whether to open an ACCT/);
  await kw.check('#decision-open');
  await kw.fill('#concern', 'Cut her arm after a phone call home went unanswered');
  await kw.fill('#immediate_action', 'Wound dressed by healthcare; checks every hour until the assessment');
  await kw.click('button:has-text("Save")');
  // The key worker opened it, and may not read the case: back on the record, with the flag.
  await kw.waitForURL(`${demo.base}/people/Q5555QQ`);
  assert.equal(await kw.locator('.app-flags', { hasText: 'ACCT open' }).count(), 1);

  const sc = await as('safer-custody');
  await sc.goto(`${demo.base}/acct`);
  await checkWidths(sc, 'acct register');
  await sc.click('text=Bea Quinn');
  await checkWidths(sc, 'acct case opened');
  assert.match(await sc.textContent('main'), /Cut her arm after a phone call home went unanswered/);
  await sc.click('button:has-text("I held the assessment interview")');
  await review(sc, { healthcare: true, next: londonDate(-3) });
  await sc.fill('#issue', 'No contact with her son since reception');
  await sc.fill('#goal', 'A phone call this week');
  await sc.fill('#plan_action', 'Arrange a supervised call');
  await sc.fill('#owner', 'Family liaison officer');
  const [d, m, y] = londonDate(-2);
  await sc.fill('#due-day', d);
  await sc.fill('#due-month', m);
  await sc.fill('#due-year', y);
  await sc.click('button:has-text("Add the action")');
  await sc.click('button:has-text("Record a conversation")');
  await sc.click('button:has-text("Done: Arrange a supervised call")');
  await review(sc, { healthcare: false, next: londonDate(-7) });
  const page = await sc.textContent('main');
  assert.match(page, /Held without healthcare/, 'the Ombudsman\'s warning on the second review');
  assert.match(page, /Conversation/);
  await checkWidths(sc, 'acct case in progress');
  // Closing without a reason is refused beside the field.
  await sc.click('button:has-text("Close the ACCT")');
  assert.match(await sc.textContent('#reason-error'), /Say why the ACCT is closed/);
  await sc.fill('#reason', 'Risk reduced: in touch with her son, working in the gardens');
  await sc.click('button:has-text("Close the ACCT")');
  await sc.click('button:has-text("I held the post-closure review")');
  const closed = await sc.textContent('main');
  assert.match(closed, /Closed/);
  assert.doesNotMatch(closed, /I held the post-closure review/);
  await checkWidths(sc, 'acct case closed');
});

test('a person with an open ACCT is transferred, and the receiving prison reviews it on arrival', async () => {
  const officer = await as('reception-officer');
  await bookIn(officer, 'Q6666QQ', 'Cal', 'Reyes');
  const sc = await as('safer-custody');
  await sc.goto(`${demo.base}/people/Q6666QQ/acct`);
  await sc.check('#decision-open');
  await sc.fill('#concern', 'Says he will not survive a move away from his family');
  await sc.fill('#immediate_action', 'Checks every hour; a Listener offered');
  await sc.click('button:has-text("Save")');
  await sc.waitForURL(/\/acct\//);
  const caseUrl = sc.url();
  // Staff at the receiving prison; receiving him there ends his time at the sending prison.
  const cli = (...args) => execFileSync(BIN, ['--database-url', demo.db, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  cli('user', 'add', 'colebury.reception', '--name', 'Colebury Reception', '--role', 'reception-officer', '--establishment', 'AAC', '--password', PASSWORD);
  cli('user', 'add', 'colebury.safer', '--name', 'Colebury Safer Custody', '--role', 'safer-custody', '--establishment', 'AAC', '--password', PASSWORD);
  const there = await as('reception-officer', 'colebury.reception');
  await bookIn(there, 'Q6666QQ', '', '', 3);
  const receiving = await as('safer-custody', 'colebury.safer');
  // On the receiving prison's safer-custody worklist (the API gives the whole list the page pages).
  const items = await (await receiving.request.get(`${demo.base}/api/v1/worklist`)).json();
  assert.ok(items.some((i) => i.prison_number === 'Q6666QQ' && i.standard === 'acct-review-on-arrival'), 'review on arrival due');
  await receiving.goto(`${demo.base}/acct`);
  await receiving.click('text=Cal Reyes');
  assert.equal(receiving.url(), caseUrl, 'the same case, carried with the person');
  await review(receiving, { healthcare: true, next: londonDate(-2) });
  await receiving.goto(`${demo.base}/people/Q6666QQ`);
  assert.match(await receiving.textContent('#due + *'), /An open ACCT reviewed by the receiving prison within 24 hours[\s\S]*?Met on time/);
  await checkWidths(receiving, 'acct after transfer');
});
