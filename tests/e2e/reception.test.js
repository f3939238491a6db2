// The reception and health pathway in the browser, each step by the role that does it: booked in
// at the door, screened before the first night, referred to in-reach and first seen; a transfer to
// hospital walked to completion; and a key worker who sees the flags, not the clinical events.
// axe-core and both widths on every page of the job.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startDemo, checkWidths, signedIn } = require('./support');

let demo;
const PN = 'Q4321QQ';

before(async () => {
  demo = await startDemo();
});

after(async () => {
  if (demo) await demo.stop();
});

const as = (role, username) => signedIn(demo, role, username);

test('a reception officer books a person in; a nurse screens them before the first night and refers them; in-reach sees them', async () => {
  const officer = await as('reception-officer');
  await officer.goto(`${demo.base}/reception?prison_number=${PN}`);
  assert.match(await officer.textContent('main'), /Nobody found/);
  await checkWidths(officer, 'reception find');
  await officer.click('text=Book in someone new >> nth=0');
  await checkWidths(officer, 'reception book in');
  await officer.fill('#prison_number', PN);
  await officer.fill('#given_name', 'Ada');
  await officer.fill('#family_name', 'Okoro');
  await officer.fill('#dob-day', '17');
  await officer.fill('#dob-month', '5');
  await officer.fill('#dob-year', '1988');
  await officer.check('#reception_type-1');
  await officer.check('#legal_status-1');
  await officer.selectOption('#c_ethnicity', 'W3');
  await officer.selectOption('#c_religion', 'NS');
  await officer.check('#format-2');
  await officer.fill('#language', 'pl');
  await officer.check('#interpreter');
  await officer.click('button:has-text("Book in")');
  await officer.waitForURL(`${demo.base}/people/${PN}`);
  const record = await officer.textContent('main');
  assert.match(record, /The person has been booked in/);
  assert.match(record, /Interpreter needed \(Polish\)/);
  assert.match(record, /White: Gypsy or Irish Traveller/);

  const nurse = await as('reception-nurse');
  await nurse.goto(`${demo.base}/people/${PN}`);
  assert.match(await nurse.textContent('#due + *'), /First-stage reception health screen before the first night/);
  await nurse.click('a:has-text("First-stage reception health screen")');
  await checkWidths(nurse, 'screen first stage');
  // Saving with nothing answered names every question and keeps the page.
  await nurse.click('button:has-text("Save and see the result")');
  assert.match(await nurse.textContent('.govuk-error-summary'), /Answer question 1, or say it was declined or not asked/);
  const items = await nurse.$$eval('fieldset .govuk-radios', (all) => all.length);
  assert.equal(items, 14, 'the fourteen questions of the file');
  for (const [id, answer] of [['long_sentence', 2], ['physical_condition', 2], ['injuries', 2], ['medicines', 2], ['critical_medicine', 3],
    ['alcohol', 2], ['drugs', 2], ['known_to_services', 1], ['feeling_low', 2], ['past_self_harm', 2], ['thoughts_now', 2],
    ['learning_disability', 2], ['communication', 1], ['screener_concern', 2]]) {
    await nurse.check(`#${id}-${answer}`);
  }
  await nurse.click('button:has-text("Save and see the result")');
  await nurse.waitForURL(/result=/);
  const result = await nurse.textContent('main');
  assert.match(result, /Referral indicated/);
  assert.match(result, /Known to mental health services outside: refer to in-reach/);
  await checkWidths(nurse, 'screen result');
  await nurse.click('text=Refer to Mental health in-reach');
  await checkWidths(nurse, 'refer');
  await nurse.check('#priority-2');
  await nurse.fill('#reason', 'Known to the community mental health team in Leeds');
  await nurse.click('button:has-text("Make the referral")');
  await nurse.waitForURL(/\/referrals\//);
  assert.match(await nurse.textContent('main'), /Waiting for triage/);

  const mh = await as('mental-health');
  await mh.goto(`${demo.base}/referrals?service=IN_REACH`);
  await checkWidths(mh, 'referral queue');
  await mh.click('text=Ada Okoro');
  await checkWidths(mh, 'referral');
  await mh.check('#action-accept');
  await mh.click('button:has-text("Save")');
  assert.match(await mh.textContent('main'), /Accepted, waiting to be seen/);
  await mh.check('#action-seen');
  await mh.click('button:has-text("Save")');
  const seen = await mh.textContent('main');
  assert.match(seen, /Where it is\s*Seen/);
  assert.match(seen, /First seen after the referral to mental health in-reach/);
  await mh.goto(`${demo.base}/people/${PN}`);
  assert.match(await mh.textContent('#due + *'), /Urgent referral first seen within 7 days[\s\S]*Met on time/);
});

test('in-reach walks a transfer to hospital from referral to the transfer itself', async () => {
  const mh = await as('mental-health');
  await mh.goto(`${demo.base}/people/${PN}/refer?service=HOSPITAL_TRANSFER`);
  await mh.check('#priority-2');
  await mh.fill('#reason', 'Psychotic symptoms not responding to treatment in prison');
  await mh.click('button:has-text("Make the referral")');
  await mh.waitForURL(/\/referrals\//);
  const referral = mh.url();
  await mh.goto(`${demo.base}/hospital-transfers`);
  assert.match(await mh.textContent('main'), /Ada Okoro[\s\S]*First psychiatric assessment/);
  await checkWidths(mh, 'hospital transfers');
  await mh.goto(referral);
  // The transfer cannot come before the assessments: the only steps offered are the next ones.
  assert.equal(await mh.locator('#action-transferred').count(), 0);
  const steps = [['first_assessment'], ['delay', async () => mh.selectOption('#delay', 'NO_BED')], ['second_assessment'],
    ['bed', async () => mh.fill('#hospital', 'Ashworth Hospital')], ['warrant', async () => mh.selectOption('#section', 'S48')],
    ['transferred', async () => mh.selectOption('#section', 'S48')]];
  for (const [action, extra] of steps) {
    await mh.check(`#action-${action}`);
    if (extra) await extra();
    await mh.click('button:has-text("Save")');
    assert.match(await mh.textContent('.govuk-notification-banner'), /The referral has been updated/, action);
  }
  const done = await mh.textContent('main');
  assert.match(done, /Transferred to hospital/);
  assert.match(done, /Transfer to hospital delayed: no suitable bed/);
  await checkWidths(mh, 'hospital transfer done');
  await mh.goto(`${demo.base}/hospital-transfers`);
  assert.doesNotMatch(await mh.textContent('main'), /Ada Okoro/);
});

test('a key worker sees the support flags and their own work, never which clinical events happened', async () => {
  const kw = await as('key-worker');
  await kw.goto(`${demo.base}/people/${PN}`);
  const text = await kw.textContent('main');
  assert.match(text, /Interpreter needed \(Polish\)/);
  assert.match(text, /Easy read needed/);
  assert.match(text, /Health care contact \(details for clinical staff\)/);
  for (const clinical of [/Referred to/, /psychiatric/, /reception health screen completed/, /Hospital bed/, /PHQ-9/, /transferred to hospital/i]) {
    assert.doesNotMatch(text, clinical);
  }
  assert.equal(await kw.locator('a[href*="/screen/"], a[href*="/medicines"], a[href*="/refer"]').count(), 0, 'no clinical links');
  await checkWidths(kw, 'key worker person page');
  const res = await kw.goto(`${demo.base}/referrals`);
  assert.equal(res.status(), 403, 'the referral queue is for clinical staff');
});
