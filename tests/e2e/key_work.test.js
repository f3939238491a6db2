// A key worker's "My people" in the browser: their six people, each with the last session, the
// next due and what is coming up; a session recorded from there shows on return. axe at both widths.
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
});
