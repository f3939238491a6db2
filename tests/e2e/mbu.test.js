// The MBU officer's job in the browser: the register of women who qualify, then one woman's
// page from the booklet to the decision on her application, her appeal and her admission to a unit. axe-core and both widths on every page.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startDemo, signedIn, checkWidths, londonDate } = require('./support');

let demo;

before(async () => {
  demo = await startDemo();
});

after(async () => {
  if (demo) await demo.stop();
});

test('an MBU officer works the register from the booklet to the decision', async () => {
  const page = await signedIn(demo, 'mbu-officer');
  await page.click('.govuk-service-navigation a:has-text("MBU register")');
  await page.waitForURL(`${demo.base}/mbu`);
  await checkWidths(page, 'mbu register');

  // A woman still waiting for her booklet, who has not applied.
  const row = page.locator('tbody tr', { hasText: 'Booklet: Not given yet' }).filter({ hasText: 'Not applied' }).first();
  const who = (await row.locator('a').textContent()).trim();
  await row.locator('a').click();
  await page.waitForURL(/\/mbu\/[A-Z0-9]+$/);
  const url = page.url();
  assert.match(await page.textContent('h1'), /Mother and Baby Unit/);
  assert.match(await page.textContent('.govuk-caption-l'), new RegExp(who));
  await checkWidths(page, 'mbu woman');

  await page.click('button:has-text("Record the booklet given")');
  assert.match(await page.textContent('.govuk-error-summary'), /Select the format she was given/);
  assert.match(await page.textContent('#format-error'), /Select the format she was given/);
  await checkWidths(page, 'mbu woman with an error');
  await page.selectOption('#format', 'EASY_READ');
  await page.click('button:has-text("Record the booklet given")');
  await page.waitForURL(url);
  assert.match(await page.textContent('.govuk-notification-banner'), /The MBU record has been updated/);
  assert.match(await page.textContent('.govuk-summary-list'), /Given \d+ \w+ \d{4} at/);

  await page.click('button:has-text("Name me as her MBU officer")');
  await page.waitForURL(url);
  assert.match(await page.textContent('.govuk-summary-list'), /Her MBU officer\s*Demo MBU officer/);

  await page.click('button:has-text("Record my visit")');
  await page.waitForURL(url);
  assert.match(await page.textContent('.govuk-summary-list'), /by Demo MBU officer/);

  // A child's date of birth after today is refused beside the field.
  const [day, month, year] = ['31', '12', '2099'];
  await page.fill('#child-day', day);
  await page.fill('#child-month', month);
  await page.fill('#child-year', year);
  await page.click('button:has-text("Record the child")');
  assert.match(await page.textContent('#child-error'), /cannot be after the day it is recorded/);

  await page.click('button:has-text("Record her application")');
  await page.waitForURL(url);
  assert.match(await page.textContent('.govuk-summary-list'), /waiting for the admission board/);
  await page.click('button:has-text("Record the decision")');
  assert.match(await page.textContent('#outcome-error'), /Select the decision/);
  await page.selectOption('#outcome', 'REFUSED');
  await page.click('button:has-text("Record the decision")');
  assert.match(await page.textContent('#board_on-error'), /Enter the date the board met/);
  const [bd, bm, by] = londonDate(0);
  await page.fill('#board_on-day', bd);
  await page.fill('#board_on-month', bm);
  await page.fill('#board_on-year', by);
  await page.selectOption('#outcome', 'REFUSED');
  await page.click('button:has-text("Record the decision")');
  await page.waitForURL(url);
  assert.match(await page.textContent('.govuk-summary-list'), /Refused \d+ \w+ \d{4} at/);
  await checkWidths(page, 'mbu woman decided');

  // She appeals and the appeal is upheld; she is admitted to a unit, which the register counts.
  await page.click('button:has-text("Record her appeal")');
  await page.waitForURL(url);
  assert.match(await page.textContent('.govuk-summary-list'), /waiting for the appeal's decision/);
  await page.selectOption('#appeal_outcome', 'APPROVED');
  await page.click('button:has-text("Record the appeal decision")');
  await page.waitForURL(url);
  assert.match(await page.textContent('.govuk-summary-list'), /On appeal: place approved/);
  await page.click('button:has-text("Record the admission")');
  assert.match(await page.textContent('#unit-error'), /Select the Mother and Baby Unit/);
  await page.selectOption('#unit', 'STI');
  await page.selectOption('#temporary', 'no');
  await page.click('button:has-text("Record the admission")');
  await page.waitForURL(url);
  assert.match(await page.textContent('.govuk-summary-list'), /HMP Styal, since/);
  await page.click('button:has-text("Record the plan agreed")');
  await page.waitForURL(url);
  assert.match(await page.textContent('.govuk-summary-list'), /Separation plan\s*Agreed/);
  await checkWidths(page, 'mbu woman on a unit');

  // Back on the register, her row says so.
  await page.click('a.govuk-back-link');
  await page.waitForURL(`${demo.base}/mbu`);
  const after = page.locator('tbody tr', { hasText: who });
  assert.match(await after.textContent(), /Booklet: Given/);
  assert.match(await after.textContent(), /On appeal: place approved/);
  const styal = page.locator('tbody tr', { hasText: 'HMP Styal' });
  assert.match(await styal.textContent(), /9\s*\(to be confirmed\)\s*1/);
  await checkWidths(page, 'mbu register after');
});
