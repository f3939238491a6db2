// A key worker's "My people" in the browser: their six people, each with the last session, the
// next due and what is coming up; a session recorded from there shows on return; then one
// person's family of choice and a funeral request. axe at both widths on every page.
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

test('a key worker opens My people, sees a festival and a birthday coming up, and records a session', async () => {
  const page = await signedIn(demo, 'key-worker');
  await page.click('.govuk-service-navigation a:has-text("My people")');
  await page.waitForURL(`${demo.base}/key-work`);
  await checkWidths(page, 'my people');
  const rows = page.locator('tbody tr');
  assert.equal(await rows.count(), 6, 'the demo key worker has six people');
  const head = await page.textContent('thead');
  assert.match(head, /Last session/);
  assert.match(head, /Coming up/);
  // The demo's Jewish man: Hanukkah in December, the fast of 9 Av in July, within the fortnight.
  const festival = rows.filter({ hasText: /Hanukkah|Tisha B'Av/ });
  assert.equal(await festival.count(), 1, 'a festival of his religion is coming up');
  // A mother's birthday, shared with his key worker, in four days.
  const birthday = rows.filter({ hasText: 'Birthday of Maureen Walsh (my mum)' });
  assert.equal(await birthday.count(), 1, 'a family birthday is coming up');
  assert.match(await page.textContent('main'), /Parole hearing/);

  // His key work page: the session, with a note, recorded from there.
  const link = festival.locator('a').first();
  const who = (await link.textContent()).trim();
  await link.click();
  await page.waitForURL(/\/people\/[A-Z0-9]+\/key-work$/);
  await checkWidths(page, 'key work');
  assert.match(await page.textContent('main'), /Coming up in the next 90 days/);
  await page.fill('#minutes', '0');
  await page.click('button:has-text("Record the session")');
  assert.match(await page.textContent('#minutes-error'), /from 1 to 480/);
  await checkWidths(page, 'key work with an error');
  const [d, m, y] = londonDate(0);
  await page.fill('#date-day', d);
  await page.fill('#date-month', m);
  await page.fill('#date-year', y);
  await page.fill('#time', '00:01');
  await page.fill('#minutes', '52');
  await page.fill('#note', 'Talked about Hanukkah away from home');
  await page.click('button:has-text("Record the session")');
  await page.waitForURL(/\/key-work$/);
  assert.match(await page.textContent('.govuk-notification-banner'), /The key work record has been updated/);
  assert.match(await page.textContent('main'), /52 minutes\. Talked about Hanukkah away from home/);

  await page.click('.govuk-service-navigation a:has-text("My people")');
  await page.waitForURL(`${demo.base}/key-work`);
  const row = page.locator('tbody tr', { hasText: who });
  assert.match(await row.textContent(), /at 12:01am, 52 minutes/);

  // Their family of choice, and a bereavement, from their record.
  await row.locator('a').first().click();
  await page.click('a.govuk-back-link');
  await page.waitForURL(/\/people\/[A-Z0-9]+$/);
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

test('a key work manager allocates the man waiting longest, by the recommendation, and records training', async () => {
  const page = await signedIn(demo, 'key-work-manager');
  await page.click('.govuk-service-navigation a:has-text("Key work allocation")');
  await page.waitForURL(`${demo.base}/key-work/allocations`);
  await checkWidths(page, 'key work allocation');
  const main = await page.textContent('main');
  assert.match(main, /Waiting for a key worker/);
  assert.match(main, /Annual leave until/);
  assert.match(main, /Days from reception to key worker allocation \(median\)/);

  // An absence with its last day before its first is refused beside the field.
  await page.selectOption('#staff', { index: 1 });
  await page.selectOption('#kind', 'ANNUAL_LEAVE');
  await page.fill('#starts_on-day', '10');
  await page.fill('#starts_on-month', '12');
  await page.fill('#starts_on-year', '2026');
  await page.fill('#ends_on-day', '9');
  await page.fill('#ends_on-month', '12');
  await page.fill('#ends_on-year', '2026');
  await page.click('button:has-text("Record the absence")');
  assert.match(await page.textContent('#ends_on-error'), /on or after the first/);
  await checkWidths(page, 'key work allocation with an error');

  // The man who arrived 16 days ago and still has no key worker: allocated as recommended.
  const waiting = page.locator('table').first().locator('tbody tr').first();
  await waiting.locator('a').click();
  await page.waitForURL(/\/people\/[A-Z0-9]+\/key-work$/);
  assert.match(await page.textContent('.govuk-inset-text'), /Recommended:/);
  const chosen = await page.$eval('#key_worker', (s) => s.options[s.selectedIndex].textContent);
  assert.doesNotMatch(chosen, /^Choose$/, 'the recommendation is chosen already');
  await checkWidths(page, 'allocate a key worker');
  await page.click('button:text-is("Allocate")');
  await page.waitForURL(/\/key-work$/);
  assert.match(await page.textContent('.govuk-summary-list'), /Key worker\s*\S/);
  assert.doesNotMatch(await page.textContent('.govuk-summary-list'), /None allocated/);

  // Training, with who attended: the share of key workers trained moves.
  await page.click('.govuk-service-navigation a:has-text("Training")');
  await page.waitForURL(`${demo.base}/training`);
  await checkWidths(page, 'training');
  assert.match(await page.textContent('main'), /Life events that hurt/);
  await page.click('button:has-text("Record the session")');
  assert.match(await page.textContent('#topic-error'), /Select what the training was about/);
  await checkWidths(page, 'training with errors');
  await page.selectOption('#topic', 'PROTECTED_CHARACTERISTICS');
  await page.fill('#title', 'Gypsy, Roma and Traveller heritage, with the Traveller Movement');
  const [d, m, y] = londonDate(1);
  await page.fill('#held_on-day', d);
  await page.fill('#held_on-month', m);
  await page.fill('#held_on-year', y);
  await page.selectOption('#coproduced', 'yes');
  await page.selectOption('#lived_experience', 'yes');
  await page.check('#attended-1');
  await page.click('button:has-text("Record the session")');
  await page.waitForURL(`${demo.base}/training`);
  assert.match(await page.textContent('main'), /Trained on protected characteristics \(P1-B\)\s*1 of \d+ key workers/);
});
