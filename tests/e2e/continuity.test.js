// Continuity of care in the browser. A pregnant woman with an open ACCT, medicines and an MBU
// application moves from one women's prison to another: her medicines go with her and her mum is
// told; the receiving reception sees what came and does not ask again; healthcare and safer
// custody review her on arrival. A man's release is planned from the board to the day he leaves,
// with the community mental-health handover accepted and his plan in easy read on the kiosk.
// axe-core at 1280 and 390 pixels on every page.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { BIN, PASSWORD, NOW, startDemo, newPage, signIn, checkWidths, bookIn, signedIn } = require('./support');

let demo;

before(async () => {
  demo = await startDemo();
});

after(async () => {
  if (demo) await demo.stop();
});

/** The throughcare command on the demo's database (the server keeps running). */
function cli(...args) {
  return execFileSync(BIN, ['--database-url', demo.db, ...args], { encoding: 'utf8', env: { ...process.env, THROUGHCARE_PASSWORD: PASSWORD } });
}

function account(username, role, establishment) {
  cli('user', 'add', username, '--name', `${username} (test)`, '--role', role, '--establishment', establishment);
}

/** An API token for an account: the last word the command prints. */
function token(username) {
  return cli('user', 'token', username).trim().split(/\s+/).pop();
}

/** When the person was last received, from the API: the server's clock runs on from NOW. */
async function receivedAt(tok, pn) {
  const res = await fetch(`${demo.base}/api/v1/people/${pn}/events`, { headers: { authorization: `Bearer ${tok}` } });
  const events = await res.json();
  return events.filter((e) => e.kind === 'reception').map((e) => e.occurred_at).sort().pop();
}

/** Records events through the API, each at the instant given or `minutes` before NOW. */
async function record(tok, pn, events) {
  const ids = [];
  for (const [when, kind, details] of events) {
    const at = typeof when === 'string' ? when : new Date(NOW.getTime() - when * 60000).toISOString().replace(/\.\d+Z$/, 'Z');
    const res = await fetch(`${demo.base}/api/v1/people/${pn}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind, occurred_at: at, details: typeof details === 'function' ? details(ids) : details }),
    });
    const body = await res.text();
    assert.equal(res.status, 201, `${kind}: ${body}`);
    ids.push(JSON.parse(body).id);
  }
  return ids;
}

const as = async (username) => {
  const page = await newPage(demo.browser, { width: 1280, height: 900 });
  await signIn(page, null, demo.base, username);
  return page;
};

test('a woman moves prison with her record: what came is seen, her mum is told, and she is reviewed on arrival', async () => {
  const base = demo.base;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'throughcare-transfer-'));
  fs.writeFileSync(path.join(dir, 'est.csv'), 'code,name,population\nAAW,HMP Westbrook,WOMEN\n');
  cli('import', 'establishments', path.join(dir, 'est.csv'));
  account('aaa.nurse', 'reception-nurse', 'AAA');
  account('aaw.officer', 'reception-officer', 'AAW');
  account('aaw.nurse', 'reception-nurse', 'AAW');
  account('aaw.safer', 'safer-custody', 'AAW');

  // At HMP AAA: booked in, pregnant, her mum may be told of a move, a critical medicine, an
  // ACCT opened and an application for a Mother and Baby Unit place.
  const nurse = await as('aaa.nurse');
  await bookIn(nurse, base, 'W5150TR', 'Niamh', 'Kelly');
  const tok = token('aaa.nurse');
  // All at the moment of her reception, each recorded after the last.
  const at = await receivedAt(tok, 'W5150TR');
  await record(tok, 'W5150TR', [
    [at, 'characteristic_declared', { characteristic: 'sex', value: 'F' }],
    [at, 'characteristic_declared', { characteristic: 'pregnancy_maternity', value: 'PREGNANT' }],
    [at, 'family_contact_named', { name: 'Siobhan Kelly', relationship: 'my mum', involvement: 'CONSENTS', told_of_transfer: true }],
    [at, 'medicine_reported', { name: 'Sertraline', dose: '100mg each morning', critical: true, source: 'COMMUNITY_RECORD' }],
    [at, 'acct_opened', { concern: 'Frightened about the birth and the move' }],
  ]);
  await record(token('demo.mbu-officer'), 'W5150TR', [[at, 'mbu_application_made', {}]]);

  await nurse.goto(`${base}/people/W5150TR`);
  await nurse.click('a:has-text("Transfer to another prison")');
  await checkWidths(nurse, 'transfer');
  await nurse.selectOption('#to', 'AAW');
  await nurse.click('button:has-text("Record the move")');
  assert.match(await nurse.textContent('#supply-error'), /at least 7 days or a prescription/);
  await checkWidths(nurse, 'transfer with an error');
  await nurse.selectOption('#to', 'AAW');
  await nurse.selectOption('#supply', 'SEVEN_DAYS');
  await nurse.click('button:has-text("Record the move")');
  assert.match(await nurse.textContent('.govuk-notification-banner'), /The transfer has been recorded/);
  assert.match(await nurse.textContent('main'), /Moved to HMP Westbrook/);
  await nurse.selectOption('#how-1', 'CALL');
  await nurse.click('button:has-text("Record that Siobhan Kelly was told")');
  assert.match(await nurse.textContent('main'), /Told\s+Phone call/);
  await checkWidths(nurse, 'transfer with the family told');

  // At HMP Westbrook: reception finds her on her way, sees what came, and asks nothing known.
  const officer = await as('aaw.officer');
  await officer.goto(`${base}/reception?prison_number=W5150TR`);
  assert.match(await officer.textContent('main'), /On transfer from .* to HMP Westbrook/);
  await officer.click('a[href="/reception/book-in?pn=W5150TR"]');
  const came = await officer.textContent('main');
  assert.match(came, /What came with them/);
  assert.match(came, /ACCT open/);
  assert.match(came, /1 medicine\(s\) \(details for healthcare\)/);
  assert.doesNotMatch(came, /Sertraline/, 'no clinical detail for an officer');
  assert.match(came, /Siobhan Kelly \(my mum\)/);
  assert.equal(await officer.locator('#c_sex').count(), 0, 'sex is already declared: not asked again');
  await checkWidths(officer, 'book in after a transfer');
  await officer.check('#reception_type-3');
  await officer.check('#legal_status-3');
  await officer.click('button:has-text("Book in")');
  await officer.waitForURL(`${base}/people/W5150TR`);

  const wNurse = await as('aaw.nurse');
  await wNurse.goto(`${base}/people/W5150TR`);
  await wNurse.click('a:has-text("Arrival after a transfer")');
  const arrival = await wNurse.textContent('main');
  assert.match(arrival, /Sertraline, 100mg each morning \(critical: must not be missed\)/);
  assert.match(arrival, /Applied for an MBU place/);
  assert.match(arrival, /Open ACCT|ACCT open/);
  await checkWidths(wNurse, 'arrival');
  await wNurse.fill('textarea[name=note]', 'Sertraline continued; midwife booked');
  await wNurse.click('button:has-text("Record the healthcare review")');
  assert.match(await wNurse.textContent('.govuk-notification-banner'), /review on arrival has been recorded/);
  const safer = await as('aaw.safer');
  await safer.goto(`${base}/people/W5150TR/arrival`);
  await safer.click('button:has-text("Record the safer custody review")');
  const reviewed = await safer.textContent('main');
  assert.match(reviewed, /Healthcare by .*: Sertraline continued/);
  assert.match(reviewed, /Safer custody by/);
  await checkWidths(safer, 'arrival reviewed');
  // Her open work moved with her: the reviews are met, nothing is left on arrival.
  await wNurse.goto(`${base}/people/W5150TR`);
  assert.match(await wNurse.textContent('main'), /Reviewed by healthcare on the day of arrival[^]*Met on time/);
  fs.rmSync(dir, { recursive: true, force: true });
});

function inDays(days) {
  const t = new Date(NOW.getTime() + days * 86400000);
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'numeric', year: 'numeric' }).formatToParts(t);
  const get = (type) => parts.find((p) => p.type === type).value;
  return [get('day'), get('month'), get('year')];
}

test('a release is planned from the board to the day he leaves, with care after release accepted', async () => {
  const base = demo.base;
  // Received 100 days ago, due out in 70: his plan opened at reception. On the in-reach caseload,
  // so his care must be handed over before he leaves. Loaded as files, as a prison's system would.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'throughcare-release-'));
  const iso = (days) => new Date(NOW.getTime() + days * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
  const [rd, rm, ry] = inDays(70);
  const release = `${ry}-${rm.padStart(2, '0')}-${rd.padStart(2, '0')}`;
  const ids = [1, 2, 3].map(() => crypto.randomUUID());
  fs.writeFileSync(path.join(dir, 'people.csv'), 'prison_number,given_name,family_name,date_of_birth,nhs_number\nR7070RL,Delroy,Campbell,1979-02-12,\n');
  const csv = (s) => `"${s.replace(/"/g, '""')}"`;
  fs.writeFileSync(path.join(dir, 'events.csv'), [
    'event_id,prison_number,kind,occurred_at,recorded_at,recorded_by,supersedes,correction_reason,details',
    `${ids[0]},R7070RL,reception,${iso(-100)},${iso(-100)},demo.reception-officer,,,${csv(JSON.stringify({ establishment: 'AAB', reception_type: 'NEW', legal_status: 'SENTENCED', expected_release: release }))}`,
    `${ids[1]},R7070RL,referral_made,${iso(-90)},${iso(-90)},demo.mental-health,,,${csv(JSON.stringify({ service: 'IN_REACH' }))}`,
    `${ids[2]},R7070RL,referral_accepted,${iso(-89)},${iso(-89)},demo.mental-health,,,${csv(JSON.stringify({ referral: ids[1] }))}`,
  ].join('\n') + '\n');
  cli('import', 'people', path.join(dir, 'people.csv'));
  cli('import', 'events', path.join(dir, 'events.csv'));
  fs.rmSync(dir, { recursive: true, force: true });
  const officer = await signedIn(demo, 'reception-officer');
  await officer.goto(`${base}/people/R7070RL/kiosk-pin`);
  await officer.fill('#pin', '2580');
  await officer.fill('#pin_again', '2580');
  await officer.click('button:has-text("Set the PIN")');
  await officer.waitForURL(`${base}/people/R7070RL`);

  const resettlement = await signedIn(demo, 'resettlement');
  await resettlement.goto(`${base}/release`);
  const row = resettlement.locator('tr', { has: resettlement.locator('a[href="/people/R7070RL/release"]') });
  assert.match(await row.textContent(), /in 70 days[^]*Somewhere to live/);
  await checkWidths(resettlement, 'release board');
  await resettlement.click('a[href="/people/R7070RL/release"]');
  await checkWidths(resettlement, 'release plan');
  await resettlement.selectOption('#item', 'ACCOMMODATION');
  await resettlement.click('button:has-text("Add the note")');
  assert.match(await resettlement.textContent('#note-error'), /Say what is happening/);
  await checkWidths(resettlement, 'release plan with an error');
  await resettlement.selectOption('#item', 'ACCOMMODATION');
  await resettlement.fill('#note', 'Approved premises in Leeds asked');
  await resettlement.click('button:has-text("Add the note")');
  assert.match(await resettlement.textContent('main'), /Approved premises in Leeds asked/);
  for (const item of ['ACCOMMODATION', 'ID_DOCUMENTS', 'BENEFITS', 'GP_REGISTRATION', 'FAMILY', 'SOCIAL_CARE']) {
    await resettlement.selectOption('#item', item);
    await resettlement.click('button:has-text("It is done")');
    assert.match(await resettlement.textContent('.govuk-notification-banner'), /release plan has been updated/);
  }
  const nurse = await signedIn(demo, 'reception-nurse');
  await nurse.goto(`${base}/people/R7070RL/release`);
  await nurse.selectOption('#supply', 'TWENTY_EIGHT_DAYS');
  await nurse.click('button:has-text("Record the medicines")');
  assert.match(await nurse.textContent('main'), /28 days' medicines/);
  const mh = await signedIn(demo, 'mental-health');
  await mh.goto(`${base}/people/R7070RL/release`);
  await mh.click('button:has-text("Record the referral")');
  assert.match(await mh.textContent('main'), /Referred to RECONNECT .*waiting for their answer/);
  await mh.click('button:has-text("Record that the community service accepted them")');
  assert.match(await mh.textContent('main'), /accepted/);
  await checkWidths(mh, 'release plan with the handover accepted');
  await resettlement.goto(`${base}/release`);
  const done = resettlement.locator('tr', { has: resettlement.locator('a[href="/people/R7070RL/release"]') });
  assert.match(await done.textContent(), /All in place/);

  // He reads his plan on the kiosk, in easy read.
  const kiosk = await newPage(demo.browser, { width: 1280, height: 900 });
  await kiosk.goto(`${base}/kiosk/sign-in`);
  await kiosk.fill('#prison_number', 'R7070RL');
  await kiosk.fill('#pin', '2580');
  await kiosk.click('button:has-text("Sign in")');
  await kiosk.waitForURL(`${base}/kiosk`);
  await kiosk.click('a:has-text("Getting ready to leave")');
  const plan = await kiosk.textContent('main');
  assert.match(plan, /You are due to leave on/);
  assert.match(plan, /Somewhere to live\s*Ready/);
  assert.match(plan, /Someone to carry on your mental health care\s*Ready/);
  await checkWidths(kiosk, 'kiosk getting ready to leave');

  // The day of release.
  await resettlement.goto(`${base}/people/R7070RL/release`);
  await resettlement.selectOption('#release_type', 'CONDITIONAL');
  await resettlement.click('button:has-text("Record the release")');
  assert.match(await resettlement.textContent('main'), /The release has been recorded[^]*not in custody: the plan is closed/);
  await checkWidths(resettlement, 'release plan closed');
});
