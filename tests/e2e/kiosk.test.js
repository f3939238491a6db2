// The kiosk in the browser: reception sets a PIN; the person signs in on a wing terminal in
// Welsh and easy read, reads about Listeners, asks for a Listener, for help with how they feel
// (healthcare only) and for a halal meal; the Listener coordinator, healthcare and the equality
// team each answer from their own queue, and the wing's queue never shows them; the person then
// sees every answer. axe-core on every kiosk page at 1280, 640 (200% zoom) and 320 pixels wide.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { SHOTS, startDemo, newPage, axe, checkWidths, bookIn, signedIn } = require('./support');

let demo;

before(async () => {
  demo = await startDemo();
});

after(async () => {
  if (demo) await demo.stop();
});

const as = (role, username) => signedIn(demo, role, username);

/** axe and no sideways scrolling at 1280, at 640 (1280 at 200% zoom) and at 320 pixels wide. */
async function kioskWidths(page, name) {
  for (const width of [1280, 640, 320]) {
    await page.setViewportSize({ width, height: 900 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow}px at ${width}px`);
    await page.screenshot({ path: path.join(SHOTS, `kiosk-${name.replace(/\W+/g, '-')}-${width}.png`), fullPage: true });
    await axe(page, `${name} at ${width}px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('a person asks on the kiosk in Welsh and easy read; each team answers from its own queue; the person sees the answers', async () => {
  const officer = await as('reception-officer');
  await bookIn(officer, demo.base, 'K7301KK', 'Rhys', 'Pritchard');
  await officer.click('a:has-text("Set a kiosk PIN")');
  await officer.fill('#pin', '1234');
  await officer.fill('#pin_again', '1234');
  await officer.click('button:has-text("Set the PIN")');
  assert.match(await officer.textContent('#pin-error'), /harder to guess/);
  await checkWidths(officer, 'kiosk PIN with an error');
  await officer.fill('#pin', '2580');
  await officer.fill('#pin_again', '2580');
  await officer.click('button:has-text("Set the PIN")');
  await officer.waitForURL(`${demo.base}/people/K7301KK`);
  assert.match(await officer.textContent('.govuk-notification-banner'), /kiosk PIN has been set/);

  // The wing terminal: no staff session, its own cookie.
  const kiosk = await newPage(demo.browser, { width: 1280, height: 900 });
  await kiosk.goto(`${demo.base}/kiosk`);
  await kiosk.waitForURL(`${demo.base}/kiosk/sign-in`);
  await kiosk.click('a:has-text("Cymraeg")');
  assert.equal(await kiosk.getAttribute('html', 'lang'), 'cy');
  await kioskWidths(kiosk, 'sign in in Welsh');
  await kiosk.fill('#prison_number', 'k7301kk');
  await kiosk.fill('#pin', '9999');
  await kiosk.click('button:has-text("Mewngofnodi")');
  assert.match(await kiosk.textContent('#prison_number-error'), /rhif carchar neu'r PIN yn anghywir/);
  await kioskWidths(kiosk, 'sign in with an error');
  await kiosk.fill('#pin', '2580');
  await kiosk.click('button:has-text("Mewngofnodi")');
  await kiosk.waitForURL(`${demo.base}/kiosk`);
  assert.match(await kiosk.textContent('h1'), /Helo, Rhys/);
  await kiosk.click('button:has-text("Defnyddio hawdd ei ddeall")');
  await kiosk.waitForURL(`${demo.base}/kiosk`);
  assert.ok(await kiosk.locator('body.kiosk--easy-read').count());
  await kioskWidths(kiosk, 'home');

  // Read about Listeners in easy read, with pictures, and say it made sense.
  await kiosk.click('a:has-text("Pethau i\'w darllen")');
  await kioskWidths(kiosk, 'things to read');
  await kiosk.click('a:has-text("Sut i ofyn am Wrandäwr")');
  assert.match(await kiosk.textContent('main'), /Gallwch ofyn am Wrandäwr ddydd neu nos/);
  assert.equal(await kiosk.locator('.kiosk-easy-read img[src="/assets/picture-clock.svg"]').count(), 1);
  await kiosk.click('button:has-text("Anfon")');
  assert.match(await kiosk.textContent('#understood-error'), /Dewiswch ateb/);
  await kioskWidths(kiosk, 'an item with an error');
  await kiosk.check('#understood');
  await kiosk.click('button:has-text("Anfon")');
  assert.match(await kiosk.textContent('.govuk-notification-banner'), /Rydym wedi cadw eich ateb/);
  await kioskWidths(kiosk, 'an item in easy read');

  // Ask for a Listener, then for help with how they feel: each is received, neither answered yet.
  await kiosk.goto(`${demo.base}/kiosk/help`);
  await kioskWidths(kiosk, 'ask for help');
  await kiosk.check('#help-listener');
  await kiosk.click('button:has-text("Anfon")');
  assert.match(await kiosk.textContent('.govuk-notification-banner'), /gydlynydd y Gwrandawyr/);
  await kiosk.check('#help');
  await kiosk.click('button:has-text("Anfon")');
  assert.match(await kiosk.textContent('.govuk-notification-banner'), /tîm gofal iechyd/);
  assert.equal(await kiosk.locator('.kiosk-request:has-text("Yn aros")').count(), 2);
  await kioskWidths(kiosk, 'help asked');

  // A diet request: nothing typed is refused beside the field; then sent.
  await kiosk.goto(`${demo.base}/kiosk/requests/new`);
  await kiosk.check('#category-DIET');
  await kiosk.click('button:has-text("Anfon")');
  assert.match(await kiosk.textContent('#detail-error'), /Dywedwch wrthym beth rydych chi eisiau/);
  await kioskWidths(kiosk, 'ask with an error');
  await kiosk.fill('#detail', "Pryd halal, wedi'i gadw ar wahân i offer porc");
  await kiosk.click('button:has-text("Anfon")');
  assert.match(await kiosk.textContent('.govuk-notification-banner'), /Mae eich cais gennym/);
  assert.match(await kiosk.textContent('main'), /Wedi dod i law/);
  await kioskWidths(kiosk, 'a request sent');
  // One open diet request at a time.
  await kiosk.goto(`${demo.base}/kiosk/requests/new`);
  await kiosk.check('#category-DIET');
  await kiosk.fill('#detail', 'Another');
  await kiosk.click('button:has-text("Anfon")');
  assert.match(await kiosk.textContent('#category-error'), /un o bob math ar y tro/);

  // The wing sees none of it: not the diet request, not the ask for help.
  const kw = await as('key-worker');
  await kw.goto(`${demo.base}/requests`);
  assert.equal(await kw.locator('text=Rhys Pritchard').count(), 0);
  assert.equal((await kw.goto(`${demo.base}/referrals`)).status(), 403);
  await kw.goto(`${demo.base}/people/K7301KK`);
  assert.equal(await kw.locator('text=Asked for a Listener').count(), 0);

  // The equality team answers the diet request: a part answer must say why.
  const eq = await as('equality-lead');
  await eq.goto(`${demo.base}/requests?team=equality`);
  await checkWidths(eq, 'requests queue');
  await eq.click('a:has-text("Rhys Pritchard")');
  await eq.click('button:has-text("Mark as in progress")');
  assert.match(await eq.textContent('main'), /In progress since/);
  await eq.selectOption('#outcome', 'PARTLY_GRANTED');
  await eq.click('button:has-text("Send the answer")');
  assert.match(await eq.textContent('#reason-error'), /Say why/);
  await checkWidths(eq, 'request with an error');
  await eq.fill('#reason', 'Halal meals from tomorrow. Separate utensils from Monday.');
  await eq.click('button:has-text("Send the answer")');
  assert.match(await eq.textContent('.govuk-notification-banner'), /The request has been updated/);

  // The Listener coordinator meets the request; healthcare triages the self-referral.
  const lc = await as('listener-coordinator');
  await lc.goto(`${demo.base}/listeners`);
  await lc.click('a:has-text("Rhys Pritchard")');
  await lc.check('#what-met');
  await lc.click('button:has-text("Save")');
  await lc.waitForURL(`${demo.base}/listeners`);
  const nurse = await as('reception-nurse');
  await nurse.goto(`${demo.base}/referrals?service=PRIMARY_MENTAL_HEALTH`);
  await nurse.click('a:has-text("Rhys Pritchard")');
  assert.match(await nurse.textContent('main'), /self-referral/i);
  await nurse.check('#action-triage');
  await nurse.click('button:has-text("Save")');

  // Back on the kiosk: every answer, in Welsh, with the reason in the team's words.
  await kiosk.goto(`${demo.base}/kiosk/requests`);
  assert.match(await kiosk.textContent('main'), /Ie, yn rhannol/);
  await kioskWidths(kiosk, 'my requests');
  await kiosk.click('a:has-text("Bwyd")');
  assert.match(await kiosk.textContent('main'), /Halal meals from tomorrow/);
  await kioskWidths(kiosk, 'an answered request');
  await kiosk.goto(`${demo.base}/kiosk/help`);
  assert.equal(await kiosk.locator('.kiosk-request:has-text("Atebwyd")').count(), 2);
  await kiosk.goto(`${demo.base}/kiosk/me`);
  await kioskWidths(kiosk, 'about me');
  await kiosk.click('a[href="/kiosk/me/religion"]');
  await kioskWidths(kiosk, 'change a declaration');
  await kiosk.check('label:has-text("Mwslim")');
  await kiosk.click('button:has-text("Cadw")');
  assert.match(await kiosk.textContent('main'), /Mwslim/);

  // Staff see the change in the history; the person signs out and the terminal is clear.
  await eq.goto(`${demo.base}/people/K7301KK`);
  assert.match(await eq.textContent('main'), /Muslim/);
  await kiosk.click('button:has-text("Allgofnodi")');
  await kiosk.waitForURL(/\/kiosk\/sign-in/);
  assert.equal((await kiosk.goto(`${demo.base}/kiosk/me`)).url(), `${demo.base}/kiosk/sign-in`);
});
