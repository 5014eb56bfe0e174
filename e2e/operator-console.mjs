// The operator console (/admin) driven in headless Chromium against the packaged jar, one phase per run; run by
// io.sluice.e2e.OperatorConsoleIT, which starts the jar, plays Postmark (WireMock), restarts the jar between phases
// and checks the database-backed API after each. Every control is used the way a person would: click, confirm, read
// the answer on the page; and the page's claim is compared with GET /api/status (the API the page itself calls).
//
//   PHASE=controls  sign-in (none, wrong, right), CSP, uploads with rejects, refused and accepted send limits, start,
//                   the next tick honouring the limit, pause (nothing more sent), start again, suppression sync,
//                   validation run. Screenshots console-normal.png, console-paused.png.
//   PHASE=halt      the guard has halted: the halt is shown, resume needs a reason, resume with one; the limit given
//                   then overrides the ramp, which is given back. console-halted.png.
//   PHASE=history   after a restart: the charts draw the samples from before it; the event history is still there.
//
// Environment: SLUICE_URL, SLUICE_TOKEN, PHASE, RESULT (json written here), CAMPAIGN_ID, AUDIENCE_CSV, VALIDATION_CSV,
// POINTS_BEFORE (history phase: samples the API had before the restart), E2E_OUT (screenshots, default target/e2e).
import { writeFileSync } from 'node:fs';
import { env, run, screenshotPath } from './lib/browser.mjs';

const base = env('SLUICE_URL');
const token = env('SLUICE_TOKEN');
const phase = env('PHASE');
const result = { phase, checks: [] };

function check(condition, message) {
  if (!condition) throw new Error('check failed: ' + message);
  result.checks.push(message);
}

/** The API as the test sees it (never used to drive the page, only to check what the page said). */
async function apiGet(path) {
  const response = await fetch(base + path, { headers: { Authorization: 'Bearer ' + token } });
  if (!response.ok) throw new Error(path + ' answered ' + response.status);
  return response.json();
}

async function shown(page, key) {
  const locator = page.locator(`[data-key="${key}"]`).first();
  return locator.getAttribute('data-value');
}

async function waitShown(page, key, value, timeout = 20000) {
  await page.locator(`[data-key="${key}"][data-value="${value}"]`).first().waitFor({ timeout });
}

/** Watches every request: same origin only, and every API call carries the bearer header. */
function watch(page) {
  const seen = { api: [], foreign: [], withoutBearer: [], cspViolations: [], errors: [] };
  page.on('request', r => {
    const url = new URL(r.url());
    if (url.origin !== base) seen.foreign.push(r.url());
    if (url.pathname.startsWith('/api/')) {
      seen.api.push(r.method() + ' ' + url.pathname);
      if (r.headers().authorization !== 'Bearer ' + token && seen.signedIn) seen.withoutBearer.push(r.method() + ' ' + url.pathname);
    }
  });
  page.on('pageerror', e => seen.errors.push(String(e)));
  page.on('console', m => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) seen.errors.push(m.text());
  });
  return seen;
}

async function signIn(page, seen) {
  await page.goto(base + '/admin', { waitUntil: 'load' });
  await page.locator('#login').waitFor({ state: 'visible', timeout: 10000 });
  seen.signedIn = true;
  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
  await page.locator('[data-key="sendLimit"]').waitFor({ timeout: 15000 });
}

/** Accepts the next confirm() and keeps its text. */
function confirmNext(page) {
  return new Promise(resolve => page.once('dialog', async d => {
    const text = d.message();
    await d.accept();
    resolve(text);
  }));
}

async function controls(context) {
  const page = await context.newPage();
  // Chromium reports CSP violations as DOM events: collect them from the first script on.
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  });
  const seen = watch(page);
  const campaign = env('CAMPAIGN_ID');

  // Sign-in: without a token only the sign-in shows; a wrong one says so; the right one shows the console.
  const first = await page.goto(base + '/admin', { waitUntil: 'load' });
  const csp = first.headers()['content-security-policy'] || '';
  check(/script-src 'self'/.test(csp) && !/unsafe-inline|unsafe-eval|https?:/.test(csp) && /connect-src 'self'/.test(csp)
    && /frame-ancestors 'none'/.test(csp), 'the page is served with a CSP: own scripts only, no inline, no other origin: ' + csp);
  const html = await first.text();
  check(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html) && !/\son[a-z]+\s*=/i.test(html) && !/\sstyle\s*=/i.test(html)
    && !/(src|href)\s*=\s*"(https?:)?\/\//i.test(html), 'no inline script, handler or style and no third-party asset in the page');
  await page.locator('#login').waitFor({ state: 'visible', timeout: 10000 });
  check(await page.locator('#dashboard').isHidden() && await page.locator('#controls').isHidden(),
    'without a token only the sign-in shows');
  check(await page.locator('[data-key]:visible').count() === 0, 'no figure is on the page before signing in');
  await page.fill('#token', 'not-the-admin-token');
  await page.click('#login-form button[type=submit]');
  await page.locator('#login-error', { hasText: 'refused' }).waitFor({ timeout: 10000 });
  result.wrongTokenMessage = await page.locator('#login-error').textContent();
  check(await page.locator('#dashboard').isHidden(), 'a wrong token shows nothing but the sign-in');
  seen.signedIn = true;
  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
  await page.locator('[data-key="sendLimit"]').waitFor({ timeout: 15000 });

  // Uploads: validation results first (they decide who may be sent to), then the audience with its bad rows.
  await page.setInputFiles('#validation-file', env('VALIDATION_CSV'));
  let dialog = confirmNext(page);
  await page.click('#validation-upload');
  check((await dialog).includes('validation results'), 'the validation upload asks first');
  await page.locator('[data-key="upload.imported"]').waitFor({ timeout: 20000 });
  result.validationUpload = { imported: Number(await shown(page, 'upload.imported')), rejected: Number(await shown(page, 'upload.rejected')) };

  await page.selectOption('#upload-campaign', campaign);
  await page.setInputFiles('#audience-file', env('AUDIENCE_CSV'));
  dialog = confirmNext(page);
  await page.click('#audience-upload');
  check((await dialog).includes('campaign #' + campaign), 'the audience upload asks first, naming the campaign');
  await page.locator('#upload-summary [data-key="upload.rejected"]').waitFor({ timeout: 20000 });
  await page.waitForFunction(() => document.querySelectorAll('#upload-rejects tr.reject').length > 0, null, { timeout: 10000 });
  result.audienceUpload = {
    rows: Number(await shown(page, 'upload.rows')),
    imported: Number(await shown(page, 'upload.imported')),
    rejected: Number(await shown(page, 'upload.rejected')),
    rejects: await page.$$eval('#upload-rejects tr.reject', rows => rows.map(r => [...r.cells].map(c => c.textContent))),
  };
  check(await page.locator('#upload-progress').isHidden(), 'the progress bar goes away when the upload is done');

  // A refused send limit: the API's reason is shown and nothing changes.
  const limitBefore = (await apiGet('/api/status')).sendLimit;
  await page.fill('#send-limit-input', '-5');
  dialog = confirmNext(page);
  await page.click('#send-limit-form button[type=submit]');
  await dialog;
  await page.locator('#action-error', { hasText: 'refused' }).waitFor({ timeout: 10000 });
  result.refusedSendLimit = await page.locator('#action-error').textContent();
  check(result.refusedSendLimit.includes('sendLimit must be between 0 and 1000000'), 'a refused value says why: ' + result.refusedSendLimit);
  check((await apiGet('/api/status')).sendLimit === limitBefore, 'a refused value changes nothing');
  // Cancelling the confirmation sends nothing.
  const calls = seen.api.length;
  await page.fill('#send-limit-input', '9');
  page.once('dialog', d => d.dismiss());
  await page.click('#send-limit-form button[type=submit]');
  await page.locator('#action-result', { hasText: 'cancelled' }).waitFor({ timeout: 5000 });
  check(!seen.api.slice(calls).some(c => c.startsWith('PUT')), 'a cancelled confirmation sends nothing');

  // The send limit, then start: every tick sends at most it.
  await page.fill('#send-limit-input', '2');
  await page.fill('#send-limit-reason', 'first hour on the new list: slow');
  dialog = confirmNext(page);
  await page.click('#send-limit-form button[type=submit]');
  check((await dialog).includes('2 per tick'), 'the send limit asks first, with the value');
  await page.locator('#action-result', { hasText: 'at most 2' }).waitFor({ timeout: 10000 });
  check((await page.locator('#action-answer').textContent()).includes('"sendLimit": 2'), "the API's answer is shown");
  await waitShown(page, 'sendLimit', '2');
  check((await apiGet('/api/status')).sendLimit === 2, 'the API has the send limit the page set');

  dialog = confirmNext(page);
  await page.click(`[data-action="start"][data-campaign-id="${campaign}"]`);
  check((await dialog).includes('Start campaign #' + campaign), 'start asks first');
  await waitShown(page, `campaign.${campaign}.state`, 'RUNNING');
  check((await apiGet('/api/status')).campaigns.find(c => String(c.id) === campaign).state === 'RUNNING', 'the API has the campaign running');
  await page.waitForFunction(c => Number(document.querySelector(`[data-key="campaign.${c}.counts.SENT"]`)?.dataset.value || 0) > 0,
    campaign, { timeout: 30000 });
  const tickAtTwo = await apiGet('/api/status');
  check(tickAtTwo.lastTick.sendLimit === 2 && tickAtTwo.lastTick.claimed <= 2, 'ticks at limit 2 claim at most 2: '
    + JSON.stringify(tickAtTwo.lastTick));

  // Changed while running: the next tick (started after the change) honours it.
  await page.fill('#send-limit-input', '5');
  dialog = confirmNext(page);
  await page.click('#send-limit-form button[type=submit]');
  await dialog;
  await page.locator('#action-result', { hasText: 'at most 5' }).waitFor({ timeout: 10000 });
  const changedAt = Date.now();
  await page.waitForFunction(t => {
    const at = document.querySelector('[data-key="lastTick.at"]')?.dataset.value;
    const limit = document.querySelector('[data-key="lastTick.sendLimit"]')?.dataset.value;
    return at && Date.parse(at) > t && limit === '5';
  }, changedAt, { timeout: 30000 });
  const tick = (await apiGet('/api/status')).lastTick;
  result.tickAfterChange = tick;
  check(Date.parse(tick.at) > changedAt && tick.sendLimit === 5 && tick.claimed <= 5 && tick.sent <= 5,
    'the next tick honours the new limit: ' + JSON.stringify(tick));
  await page.screenshot({ path: screenshotPath('console-normal'), fullPage: true });

  // Pause: nothing more of the campaign is sent over the next ticks; then start again.
  dialog = confirmNext(page);
  await page.click(`[data-action="pause"][data-campaign-id="${campaign}"]`);
  check((await dialog).includes('Pause campaign #' + campaign), 'pause asks first');
  await waitShown(page, `campaign.${campaign}.state`, 'PAUSED');
  const pausedAt = Date.now();
  const sentAtPause = (await apiGet('/api/status')).campaigns.find(c => String(c.id) === campaign).counts.SENT || 0;
  // Two ticks that started after the pause (a tick in flight at the pause finishes what it claimed).
  await page.waitForFunction(t => {
    const at = document.querySelector('[data-key="lastTick.at"]')?.dataset.value;
    window.__ticks = window.__ticks || new Set();
    if (at && Date.parse(at) > t) window.__ticks.add(at);
    return window.__ticks.size >= 2;
  }, pausedAt, { timeout: 30000, polling: 250 });
  const paused = await apiGet('/api/status');
  const sentPaused = paused.campaigns.find(c => String(c.id) === campaign).counts.SENT || 0;
  result.pause = { sentAtPause, sentTwoTicksLater: sentPaused, state: paused.campaigns.find(c => String(c.id) === campaign).state };
  check(result.pause.state === 'PAUSED', 'the API has the campaign paused');
  check(sentPaused - sentAtPause <= 5, 'at most what was claimed before the pause is sent after it: ' + JSON.stringify(result.pause));
  await page.screenshot({ path: screenshotPath('console-paused'), fullPage: true });
  // and stays: one more tick later nothing moved.
  const quiet = paused.lastTick.at;
  await page.waitForFunction(q => {
    const at = document.querySelector('[data-key="lastTick.at"]')?.dataset.value;
    return at && Date.parse(at) > Date.parse(q);
  }, quiet, { timeout: 20000 });
  const stillPaused = (await apiGet('/api/status')).campaigns.find(c => String(c.id) === campaign).counts.SENT || 0;
  check(stillPaused === sentPaused, 'a paused campaign sends nothing more');
  dialog = confirmNext(page);
  await page.click(`[data-action="start"][data-campaign-id="${campaign}"]`);
  await dialog;
  await waitShown(page, `campaign.${campaign}.state`, 'RUNNING');
  await page.waitForFunction(([c, n]) => Number(document.querySelector(`[data-key="campaign.${c}.counts.SENT"]`)?.dataset.value || 0) > n,
    [campaign, sentPaused], { timeout: 30000 });
  result.resumedSent = (await apiGet('/api/status')).campaigns.find(c => String(c.id) === campaign).counts.SENT;

  // Suppressions now, and a validation run (local checks only here: no provider key).
  await page.click('#suppressions-sync');
  await page.locator('#action-result', { hasText: 'suppressions read' }).waitFor({ timeout: 20000 });
  result.suppressionSync = await page.locator('#action-result').textContent();
  dialog = confirmNext(page);
  await page.click('#validation-run');
  await dialog;
  await page.locator('#action-result', { hasText: 'left pending' }).waitFor({ timeout: 30000 });
  result.validationRun = await page.locator('#action-result').textContent();

  // The event history on the page has what was just done, with the reason given.
  await page.locator('#events tr[data-kind="send-limit"]', { hasText: 'first hour on the new list' }).waitFor({ timeout: 15000 });
  result.eventKinds = await page.$$eval('#events tbody tr[data-kind]', rows => rows.map(r => r.dataset.kind));

  result.csp = await page.evaluate(() => window.__csp);
  check(result.csp.length === 0, 'no CSP violation: ' + result.csp.join(' | '));
  check(seen.foreign.length === 0, 'no request leaves Sluice: ' + seen.foreign.join(' | '));
  check(seen.withoutBearer.length === 0, 'every API call after signing in carries the bearer header: ' + seen.withoutBearer.join(' | '));
  check(seen.errors.length === 0, 'no script error: ' + seen.errors.join(' | '));
  result.apiCalls = [...new Set(seen.api)];
}

async function halt(context) {
  const page = await context.newPage();
  const seen = watch(page);
  await signIn(page, seen);
  await page.locator('#halt-panel').waitFor({ state: 'visible', timeout: 15000 });
  result.haltReasonShown = await page.locator('#halt-reason').textContent();
  check(result.haltReasonShown.includes('bounce rate'), 'the halt and its reason are shown: ' + result.haltReasonShown);
  await page.locator('#events tr[data-kind="halted"]').waitFor({ timeout: 15000 });
  await page.screenshot({ path: screenshotPath('console-halted'), fullPage: true });

  // No reason, no call: the browser keeps the form (a required field). Checked after the page's next refresh.
  const calls = seen.api.length;
  const refreshed = await page.locator('#updated').getAttribute('data-refreshed');
  await page.click('#resume-form button[type=submit]');
  check(await page.$eval('#resume-reason', e => e.validity.valueMissing), 'the reason is required');
  await page.waitForFunction(r => document.querySelector('#updated').dataset.refreshed !== r, refreshed, { timeout: 15000 });
  check(!seen.api.slice(calls).some(c => c.startsWith('POST /api/resume')), 'resume without a reason sends nothing');
  check((await apiGet('/api/status')).halted === true, 'still halted without a reason');

  await page.fill('#resume-reason', 'bounces came from one bought segment, removed');
  await page.fill('#resume-send-limit', '4');
  const dialog = confirmNext(page);
  await page.click('#resume-form button[type=submit]');
  check((await dialog).includes('bought segment'), 'resume asks first, repeating the reason');
  await page.locator('#action-result', { hasText: 'halt lifted' }).waitFor({ timeout: 10000 });
  await page.locator('#halt-panel').waitFor({ state: 'hidden', timeout: 15000 });
  await waitShown(page, 'halted', 'false');
  await waitShown(page, 'sendLimit', '4');
  const status = await apiGet('/api/status');
  check(status.halted === false && status.sendLimit === 4, 'the API is no longer halted and has the limit given');
  await page.locator('#events tr[data-kind="resumed"]', { hasText: 'bought segment' }).waitFor({ timeout: 15000 });
  check(true, 'the reason is shown back in the event history');

  // The person's limit overrides the ramp until it is given back.
  check(status.ramp.overridden === true && await page.locator('#ramp-resume').isEnabled(), 'the ramp can be given back');
  const asked = confirmNext(page);
  await page.click('#ramp-resume');
  check((await asked).includes('back to the ramp'), 'giving back to the ramp asks first');
  await page.locator('#action-result', { hasText: 'the ramp sets the send limit again' }).waitFor({ timeout: 10000 });
  const ramped = await apiGet('/api/status');
  result.rampAfterGiveBack = ramped.ramp;
  check(ramped.ramp.overridden === false && ramped.sendLimit === ramped.ramp.stepSendLimit,
    'the API has the ramp setting the limit again: ' + JSON.stringify(ramped.ramp));
  await page.locator('#ramp-resume:disabled').waitFor({ timeout: 15000 });
  check(seen.withoutBearer.length === 0 && seen.foreign.length === 0 && seen.errors.length === 0,
    'bearer on every call, nothing foreign, no script error: ' + JSON.stringify(seen));
}

async function history(context) {
  const page = await context.newPage();
  const seen = watch(page);
  await signIn(page, seen);
  const before = Number(env('POINTS_BEFORE'));
  await page.waitForFunction(n => Number(document.querySelector('#chart-send-limit svg')?.dataset.points || 0) >= n,
    before, { timeout: 20000 });
  result.chartPoints = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('.charts svg')]
    .map(s => [s.parentElement.id, Number(s.dataset.points)])));
  result.historyNote = await page.locator('#history-note').textContent();
  check(result.chartPoints['chart-sent'] >= before, 'the sent chart has the samples from before the restart');
  await page.locator('#events tr[data-kind="resumed"]').waitFor({ timeout: 15000 });
  await page.screenshot({ path: screenshotPath('console-after-restart'), fullPage: true });
  check(seen.errors.length === 0, 'no script error: ' + seen.errors.join(' | '));
}

const phases = { controls, halt, history };
if (!phases[phase]) throw new Error('PHASE must be one of ' + Object.keys(phases).join(', '));
await run('console-' + phase, phases[phase]);
writeFileSync(env('RESULT'), JSON.stringify(result, null, 2));
