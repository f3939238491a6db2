// Listeners in the browser: the Listener coordinator records a trained Listener and what they
// agree to be matched by; a key worker passes on a request, and then cannot see it; the
// coordinator sees it waiting, matches by the background both chose, and records when the
// Listener came. axe-core and both widths on every page.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startDemo, checkWidths, bookIn, signedIn } = require('./support');

let demo;

before(async () => {
  demo = await startDemo();
});

after(async () => {
  if (demo) await demo.stop();
});

const as = (role, username) => signedIn(demo, role, username);

test('a request for a Listener goes to the coordinator alone and is matched only with consent', async () => {
  const officer = await as('reception-officer');
  await bookIn(officer, demo.base, 'Q7101QQ', 'Lena', 'Marsh');
  await bookIn(officer, demo.base, 'Q7102QQ', 'Dana', 'Hollis');

  // The coordinator adds a Listener from the register page.
  const lc = await as('listener-coordinator');
  await lc.click('.govuk-service-navigation a:has-text("Listeners")');
  await lc.waitForURL(`${demo.base}/listeners`);
  await checkWidths(lc, 'listeners register');
  await lc.fill('#add', 'Z9999ZZ');
  await lc.click('button:has-text("Continue")');
  assert.match(await lc.textContent('#add-error'), /No one with that prison number is in custody here/);
  await lc.fill('#add', 'Q7101QQ');
  await lc.click('button:has-text("Continue")');
  await lc.waitForURL(`${demo.base}/people/Q7101QQ/peer-supporter`);
  await checkWidths(lc, 'peer supporter');
  await lc.click('button:has-text("Save training")');
  assert.match(await lc.textContent('#scheme-error'), /Select a scheme/);
  await lc.selectOption('#scheme', 'LISTENER');
  await lc.click('button:has-text("Save training")');
  assert.match(await lc.textContent('.govuk-notification-banner'), /peer support register has been updated/);
  await lc.check('label:has-text("Being a mother")');
  await lc.click('button:has-text("Save consent")');
  assert.ok(await lc.isChecked('label:has-text("Being a mother")'));
  await checkWidths(lc, 'peer supporter trained');

  // A key worker passes a request on; errors sit beside their fields; then it is out of sight.
  const kw = await as('key-worker');
  await kw.goto(`${demo.base}/people/Q7102QQ`);
  await kw.click('text=Ask for a Listener');
  await kw.click('button:has-text("Save")');
  assert.match(await kw.textContent('.govuk-error-summary'), /Select what the person asked for/);
  assert.match(await kw.textContent('#already-error'), /Say whether the support has already come/);
  await checkWidths(kw, 'ask for a listener with errors');
  await kw.check('label:has-text("A Listener")');
  await kw.check('label:has-text("Being a mother")');
  await kw.check('#already-no');
  await kw.click('button:has-text("Save")');
  await kw.waitForURL(`${demo.base}/people/Q7102QQ`);
  assert.match(await kw.textContent('.govuk-notification-banner'), /Passed to the Listener coordinator/);
  assert.equal(await kw.locator('text=Asked for a Listener').count(), 0, 'the key worker does not see the request');
  assert.equal(await kw.locator('.govuk-service-navigation a:has-text("Listeners")').count(), 0);
  assert.equal((await kw.goto(`${demo.base}/listeners`)).status(), 403);

  // The coordinator: waiting, matched on the background both chose, met now.
  await lc.goto(`${demo.base}/listeners`);
  const waiting = lc.locator('table', { hasText: 'Dana Hollis' });
  assert.match(await waiting.textContent(), /Waiting/);
  await lc.click('a:has-text("Dana Hollis")');
  await checkWidths(lc, 'listener request');
  assert.match(await lc.textContent('main'), /Lena Marsh \(Q7101QQ.*\): shares being a mother/);
  await lc.check('#what-met');
  await lc.fill('#time', '25:00');
  await lc.click('button:has-text("Save")');
  assert.match(await lc.textContent('#time-error'), /Enter a real time/);
  await checkWidths(lc, 'listener request with an error');
  await lc.fill('#time', '');
  await lc.selectOption('#listener', 'Q7101QQ');
  await lc.click('button:has-text("Save")');
  await lc.waitForURL(`${demo.base}/listeners`);
  assert.match(await lc.textContent('.govuk-notification-banner'), /never what was said/);
  const recent = lc.locator('tr', { hasText: 'Dana Hollis' });
  assert.match(await recent.textContent(), /Met after/);
  await checkWidths(lc, 'listeners register after');
  await lc.goto(`${demo.base}/`);
  await checkWidths(lc, 'listener coordinator home');
});
