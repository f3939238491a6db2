// A key worker's "My people" in the browser: their six people, each with the last session, the
// next due and what is coming up; a session recorded from there shows on return; then one
// person's family of choice and a funeral request. axe at both widths on every page.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startDemo, newPage, signIn, checkWidths, londonDate } = require('./support');

let demo;

before(async () => {
  demo = await startDemo();
});

after(async () => {
  if (demo) await demo.stop();
});

test('a key worker opens My people, records a session and sees it there', async () => {
  const page = await newPage(demo.browser, { width: 1280, height: 900 });
  await signIn(page, 'key-worker', demo.base);
  await page.click('.govuk-service-navigation a:has-text("My people")');
  await page.waitForURL(`${demo.base}/key-work`);
  await checkWidths(page, 'my people');
  const rows = page.locator('tbody tr');
  assert.equal(await rows.count(), 6, 'the demo key worker has six people');
  const head = await page.textContent('thead');
  assert.match(head, /Last session/);
  assert.match(head, /Coming up/);

  const link = rows.nth(0).locator('a').first();
  const who = (await link.textContent()).trim();
  await link.click();
  await page.click('text=Record an event');
  await page.selectOption('#kind', 'key_work_session');
  const [d, m, y] = londonDate(0);
  await page.fill('#date-day', d);
  await page.fill('#date-month', m);
  await page.fill('#date-year', y);
  await page.fill('#time', '00:01');
  await page.fill('#minutes', '52');
  await page.click('main form button[type=submit]');
  await page.waitForURL(/\/people\/[A-Z0-9]+$/);

  await page.click('.govuk-service-navigation a:has-text("My people")');
  await page.waitForURL(`${demo.base}/key-work`);
  const row = page.locator('tbody tr', { hasText: who });
  assert.match(await row.textContent(), /at 12:01am, 52 minutes/);

  // Their family of choice, and a bereavement, from their record.
  await row.locator('a').first().click();
  await page.click('a:has-text("Change")');
  await page.waitForURL(/\/family$/);
  await checkWidths(page, 'family of choice');
  await page.fill('#name', 'Rose Lee');
  await page.click('button:has-text("Add to their family")');
  assert.match(await page.textContent('#relationship-error'), /Enter who they are to the person/);
  await checkWidths(page, 'family of choice with errors');
  await page.fill('#relationship', 'my nan');
  await page.selectOption('#involvement', 'ASK_EACH_TIME');
  await page.selectOption('#told_of_transfer', 'yes');
  await page.click('button:has-text("Add to their family")');
  assert.match(await page.textContent('.govuk-notification-banner'), /family of choice has been updated/);
  assert.match(await page.textContent('main'), /Named Rose Lee \(my nan\) as family: ask me each time; may be told of a transfer/);

  // A funeral request, decided with the reason given.
  await page.click('a.govuk-back-link');
  await page.click('a:has-text("Temporary release")');
  await page.waitForURL(/\/temporary-release$/);
  await page.selectOption('#purpose', 'FUNERAL');
  await page.click('button:has-text("Record the request")');
  await page.selectOption('#risk', 'LOW');
  await page.selectOption('#granted', 'no');
  await page.click('button:has-text("Record the decision")');
  assert.match(await page.textContent('#reason-error'), /Give the reason for the refusal/);
  await checkWidths(page, 'temporary release with errors');
  await page.fill('#reason', 'No escort staff that day');
  await page.click('button:has-text("Record the decision")');
  assert.match(await page.textContent('main'), /Refused .*low risk: No escort staff that day/);
  await checkWidths(page, 'temporary release decided');
});
