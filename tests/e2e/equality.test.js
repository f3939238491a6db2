// The equality team's work in the browser: a person reports unfair treatment on the kiosk (kept as
// a draft when incomplete); the equality lead names the officer it is about (who then cannot see
// it), acknowledges it and names an investigator; the investigator's finding is checked and sent;
// the person appeals and a governor decides. The quarter's sample goes, anonymised, to the
// independent panel, which records its view. A forum meeting's action, a festival with its budget,
// a directory referral with consent and a regime curtailment reach the governor's equality report.
// axe-core at 1280 and 390 pixels on every page.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startDemo, newPage, checkWidths, bookIn, signedIn, londonDate } = require('./support');

let demo;

before(async () => {
  demo = await startDemo();
});

after(async () => {
  if (demo) await demo.stop();
});

const as = (role, username) => signedIn(demo, role, username);

async function fillDate(page, prefix, [d, m, y]) {
  await page.fill(`#${prefix}-day`, d);
  await page.fill(`#${prefix}-month`, m);
  await page.fill(`#${prefix}-year`, y);
}

test('a complaint from the kiosk to its appeal, the panel\'s anonymised review, and the team\'s work in the governor\'s report', async () => {
  const base = demo.base;
  const officer = await as('reception-officer');
  await bookIn(officer, base, 'E4410EQ', 'Tomasz', 'Nowak');
  await officer.click('a:has-text("Set a kiosk PIN")');
  await officer.fill('#pin', '2580');
  await officer.fill('#pin_again', '2580');
  await officer.click('button:has-text("Set the PIN")');
  await officer.waitForURL(`${base}/people/E4410EQ`);

  // On the kiosk: nothing chosen is refused beside the field, and what was written is kept.
  const kiosk = await newPage(demo.browser, { width: 1280, height: 900 });
  await kiosk.goto(`${base}/kiosk/sign-in`);
  await kiosk.fill('#prison_number', 'E4410EQ');
  await kiosk.fill('#pin', '2580');
  await kiosk.click('button:has-text("Sign in")');
  await kiosk.waitForURL(`${base}/kiosk`);
  await kiosk.click('a:has-text("Report unfair treatment")');
  await checkWidths(kiosk, 'kiosk unfair treatment list');
  await kiosk.click('a:has-text("Report unfair treatment")');
  await kiosk.fill('#what', 'The servery officer, Demo Key worker, laughed at my accent and would not serve me.');
  await kiosk.click('button:has-text("Send")');
  assert.match(await kiosk.textContent('#grounds-error'), /Choose what it was because of/);
  await checkWidths(kiosk, 'kiosk report with an error');
  await kiosk.goto(`${base}/kiosk`);
  await kiosk.goto(`${base}/kiosk/complaints/new`);
  assert.match(await kiosk.inputValue('#what'), /laughed at my accent/);
  assert.match(await kiosk.textContent('main'), /We kept what you wrote before/);
  await kiosk.check('#grounds-ethnicity');
  await kiosk.check('#when-today');
  await kiosk.fill('#wants', 'An apology, and to be served like everyone else.');
  await kiosk.click('button:has-text("Send")');
  assert.match(await kiosk.textContent('.govuk-notification-banner'), /We have your report/);
  await checkWidths(kiosk, 'kiosk report sent');
  const complaintUrl = kiosk.url().split('?')[0];
  const id = complaintUrl.split('/').pop();

  // The equality lead: the officer it is about is named, and from then on cannot see it.
  const lead = await as('equality-lead');
  await lead.goto(`${base}/complaints`);
  await checkWidths(lead, 'complaints log');
  await lead.click(`a[href="/complaints/${id}"]`);
  assert.match(await lead.textContent('main'), /laughed at my accent/);
  await lead.fill('#staff_named', 'demo.key-worker');
  await lead.click('button:has-text("Add them")');
  await lead.click('button:has-text("Acknowledge the complaint")');
  await lead.fill('#investigator', 'demo.key-worker');
  await lead.click('button:has-text("Name the investigator")');
  assert.match(await lead.textContent('#investigator-error'), /not involved/);
  await checkWidths(lead, 'complaint with an error');
  await lead.fill('#investigator', 'demo.safer-custody');
  await lead.click('button:has-text("Name the investigator")');
  assert.match(await lead.textContent('main'), /Being investigated/);

  const named = await as('key-worker');
  assert.equal((await named.goto(`${base}/complaints/${id}`)).status(), 404);
  await named.goto(`${base}/people/E4410EQ`);
  assert.equal(await named.locator('text=Discrimination complaint').count(), 0);

  // The investigator finds it from their home page; a finding needs its response.
  const investigator = await as('safer-custody');
  await investigator.click(`a[href="/complaints/${id}"]`);
  await investigator.selectOption('#finding', 'UPHELD');
  await investigator.click('button:has-text("Send for its quality check")');
  assert.match(await investigator.textContent('#response-error'), /Write the response/);
  await checkWidths(investigator, 'finding with an error');
  await investigator.fill('#response', 'We found that you were treated unfairly. The officer has been spoken to and will apologise.');
  await investigator.click('button:has-text("Send for its quality check")');
  await kiosk.goto(complaintUrl);
  assert.match(await kiosk.textContent('main'), /Being looked into/);

  await lead.goto(`${base}/complaints/${id}`);
  await lead.selectOption('#approved', 'yes');
  await lead.click('button:has-text("Record the check")');
  assert.match(await lead.textContent('main'), /Checked by .* and sent to the person/);

  // The person reads the answer and appeals; a governor decides.
  await kiosk.goto(complaintUrl);
  assert.match(await kiosk.textContent('main'), /We agree with you/);
  await kiosk.fill('#reason', 'I want to know what will stop it happening again.');
  await kiosk.click('button:has-text("Ask for it to be looked at again")');
  assert.match(await kiosk.textContent('.govuk-notification-banner'), /Someone new will look at it again/);
  await checkWidths(kiosk, 'kiosk complaint appealed');
  const governor = await as('governor');
  await governor.goto(`${base}/complaints/${id}`);
  await checkWidths(governor, 'complaint appealed');
  await governor.selectOption('#finding', 'UPHELD');
  await governor.fill('#response', 'Servery staff will have training on respect for every culture this month.');
  await governor.click('button:has-text("Record the decision")');
  assert.match(await governor.textContent('main'), /Appeal decided/);

  // The quarter's sample, anonymised, prepared and released to the independent panel.
  await lead.goto(`${base}/scrutiny`);
  await checkWidths(lead, 'scrutiny samples');
  const quarters = await lead.locator('#quarter option').allTextContents();
  await lead.selectOption('#quarter', { label: quarters[quarters.length - 1] });
  await lead.click('button:has-text("Draw the sample")');
  assert.match(await lead.textContent('main'), /Scrutiny sample/);
  await lead.fill('#phrases-1', 'servery');
  await lead.click('form:has(#phrases-1) button:has-text("Take them out")');
  await checkWidths(lead, 'scrutiny sample being prepared');
  await lead.click('button:has-text("Release to the panel")');
  const panel = await as('scrutiny-panel');
  await panel.goto(`${base}/scrutiny`);
  await panel.click(`a:has-text("${quarters[quarters.length - 1]}")`);
  const text = await panel.textContent('main');
  assert.doesNotMatch(text, /E4410EQ|Tomasz|Nowak|Demo Key worker|demo\.key-worker/);
  await checkWidths(panel, 'scrutiny sample for the panel');
  await panel.selectOption('#view-1', 'CONCERNS');
  await panel.fill('#feedback-1', 'The answer should say what will change.');
  await panel.click('form:has(#view-1) button:has-text("Record the panel\'s view")');
  assert.match(await panel.textContent('main'), /Handled, with concerns/);
  assert.equal((await panel.goto(`${base}/people/E4410EQ`)).status(), 403);

  // A forum meeting with an action, which must have an owner.
  await lead.goto(`${base}/equality-team`);
  await lead.fill('#name', 'Race equality forum');
  await lead.click('button:has-text("Set up the forum")');
  assert.match(await lead.textContent('#name-error'), /already a forum called Race equality forum/);
  await lead.fill('#name', 'Disability forum');
  await lead.selectOption('#characteristic', 'disability');
  await lead.click('button:has-text("Set up the forum")');
  await lead.selectOption('#forum', { label: 'Disability forum' });
  await fillDate(lead, 'held_on', londonDate(0));
  await lead.fill('#people_attended', '12');
  await lead.fill('#staff_attended', '3');
  await lead.fill('#raised', 'Food from home countries for festivals; accents mocked at the servery.');
  await lead.fill('#action_1', 'Servery staff trained on respect for every culture');
  const due = londonDate(-30);
  await lead.fill('#due_1_day', due[0]);
  await lead.fill('#due_1_month', due[1]);
  await lead.fill('#due_1_year', due[2]);
  await lead.click('button:has-text("Record the meeting")');
  assert.match(await lead.textContent('#action_1-error'), /name who owns it/);
  await checkWidths(lead, 'forum meeting with an error');
  await lead.fill('#owner_1', 'Head of residence');
  await lead.click('button:has-text("Record the meeting")');
  assert.match(await lead.textContent('main'), /Servery staff trained on respect for every culture/);
  await checkWidths(lead, 'equality team');

  // A festival planned with the people who share it, with a budget.
  await lead.goto(`${base}/festivals`);
  await checkWidths(lead, 'festivals');
  const options = await lead.locator('#festival option').count();
  assert.ok(options > 1, 'a festival of a religion held here is coming up');
  await lead.selectOption('#festival', { index: 1 });
  await fillDate(lead, 'asked_on', londonDate(1));
  await lead.fill('#asked_for', 'A shared meal, music, and time together in the multi-faith room.');
  await lead.fill('#budget', '£150');
  await lead.click('button:has-text("Save the plan")');
  assert.match(await lead.textContent('main'), /£150\.00/);

  // The directory: a service needing consent; a referral with it.
  await lead.goto(`${base}/directory`);
  await lead.fill('#organisation', 'The Reader');
  await lead.fill('#service', 'Shared reading group');
  await lead.selectOption('#category', 'SHARED_READING');
  await lead.fill('#what', 'Stories and poems read aloud together');
  await lead.fill('#for_whom', 'Everyone');
  await lead.fill('#when', 'Tuesdays at 2pm in the library');
  await lead.fill('#how_to_refer', 'Ask the librarian');
  await lead.selectOption('#consent_needed', 'yes');
  await lead.click('button:has-text("Add the service")');
  await checkWidths(lead, 'directory');
  const kw = await as('key-worker');
  await kw.goto(`${base}/people/E4410EQ/directory`);
  await kw.selectOption('#service', { index: 1 });
  await kw.selectOption('#part_of', 'KEY_WORK');
  await kw.selectOption('#consented', 'no');
  await kw.click('button:has-text("Refer")');
  assert.match(await kw.textContent('#consented-error'), /needs their consent/);
  await checkWidths(kw, 'directory referral with an error');
  await kw.selectOption('#consented', 'yes');
  await kw.click('button:has-text("Refer")');
  assert.match(await kw.textContent('main'), /Referred to Shared reading group/);

  // A curtailment of the regime.
  await lead.goto(`${base}/regime`);
  await fillDate(lead, 'on', londonDate(0));
  await lead.fill('#hours', '2.5');
  await lead.selectOption('#cause', 'STAFF_SHORTAGE');
  await lead.fill('#wings', 'A wing');
  await lead.click('button:has-text("Record it")');
  assert.match(await lead.textContent('main'), /2h 30m/);
  await checkWidths(lead, 'regime');

  // The governor's equality report for the months to today holds all of it.
  const [d, m, y] = londonDate(0);
  const [fd, fm, fy] = londonDate(60);
  const iso = (dd, mm, yy) => `${yy}-${mm.padStart(2, '0')}-${dd.padStart(2, '0')}`;
  await governor.goto(`${base}/reports/equality?from=${iso(fd, fm, fy)}&to=${iso(d, m, y)}`);
  const report = await governor.textContent('main');
  assert.match(report, /Servery staff trained on respect for every culture/);
  assert.match(report, /Head of residence/);
  assert.match(report, /£150\.00/);
  // The 2½ hours lost today, with any other curtailment for staff shortage in the period.
  const lost = report.match(/Staff shortage\s*(\d+)h (\d\d)m/);
  assert.ok(lost && Number(lost[1]) * 60 + Number(lost[2]) >= 150, `time lost to staff shortage: ${lost && lost[0]}`);
  await checkWidths(governor, 'equality report with the team\'s work');
});
