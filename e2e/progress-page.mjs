// Drives the progress page in headless Chromium the way an operator uses it: sign in with the admin token, watch the
// figures refresh by themselves, reload, sign out. Run by io.sluice.admin.ProgressPageBrowserTest, which started
// Sluice and compares what this prints with GET /api/status.
//
// Environment: SLUICE_URL (http://127.0.0.1:port), SLUICE_TOKEN, SCREENSHOT (png path), RESULT (json path),
// CHROMIUM (default /usr/bin/chromium), NEW_SEND_LIMIT (set through the API while the page is open).
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.env.SLUICE_URL;
const token = process.env.SLUICE_TOKEN;
const newSendLimit = Number(process.env.NEW_SEND_LIMIT || '4321');
const checks = [];

function check(condition, message) {
  if (!condition) throw new Error('check failed: ' + message);
  checks.push(message);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const consoleErrors = [];
  // Failed requests are judged from the responses below; the console only repeats them.
  page.on('console', m => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) consoleErrors.push(m.text());
  });
  const failedResponses = [];
  page.on('response', r => {
    const path = new URL(r.url()).pathname;
    const expected = (r.status() === 401 && path.startsWith('/api/')) || path === '/favicon.ico';
    if (r.status() >= 400 && !expected) failedResponses.push(r.status() + ' ' + path);
  });
  page.on('pageerror', e => consoleErrors.push(String(e)));
  const requested = [];
  page.on('request', r => requested.push(r.url()));

  await page.goto(base + '/admin', { waitUntil: 'load' });
  check(page.url() === base + '/admin/index.html', '/admin leads to the page');
  await page.locator('#login').waitFor({ state: 'visible', timeout: 10000 });
  check(await page.locator('#dashboard').isHidden(), 'no figures before signing in');

  await page.fill('#token', 'not-the-token');
  await page.click('#login-form button[type=submit]');
  await page.locator('#login-error', { hasText: 'refused' }).waitFor({ timeout: 10000 });
  check(await page.evaluate(k => sessionStorage.getItem(k), 'sluice.adminToken') === null, 'a refused token is not kept');

  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
  await page.locator('[data-key="sendLimit"]').waitFor({ timeout: 10000 });
  check(!page.url().includes(token) && requested.every(u => !u.includes(token)), 'the token never appears in a URL');

  // Refreshes by itself: a send limit set through the API shows up without a reload.
  const put = await fetch(base + '/api/send-limit', {
    method: 'PUT', headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ sendLimit: newSendLimit }),
  });
  check(put.ok, 'PUT /api/send-limit answered ' + put.status);
  await page.locator(`[data-key="sendLimit"][data-value="${newSendLimit}"]`).waitFor({ timeout: 20000 });
  check(true, 'the page showed the new send limit without a reload');
  // The history chart gets the new limit too once it is sampled.
  await page.waitForFunction(() => Number(document.querySelector('#chart-send-limit svg')?.dataset.points || 0) >= 2,
    null, { timeout: 20000 });

  const values = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-key]')]
    .map(e => [e.dataset.key, e.hasAttribute('data-value') ? e.dataset.value : e.textContent])));
  const chartPoints = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('.charts svg')]
    .map(s => [s.parentElement.id, Number(s.dataset.points)])));
  const bars = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-campaign]')]
    .map(c => [c.dataset.campaign, [...c.querySelectorAll('.bar span')].map(s => s.className + ' ' + s.style.width)])));
  await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });

  await page.reload({ waitUntil: 'load' });
  await page.locator('[data-key="sendLimit"]').waitFor({ timeout: 10000 });
  check(await page.locator('#login').isHidden(), 'a reload in the same tab stays signed in');

  await page.click('#sign-out');
  await page.locator('#login').waitFor({ state: 'visible', timeout: 5000 });
  check(await page.evaluate(k => sessionStorage.getItem(k), 'sluice.adminToken') === null, 'signing out forgets the token');
  check(consoleErrors.length === 0, 'no script errors: ' + consoleErrors.join(' | '));
  check(failedResponses.length === 0, 'no failed request but the refused token: ' + failedResponses.join(' | '));

  writeFileSync(process.env.RESULT, JSON.stringify({ values, chartPoints, bars, checks }, null, 2));
  console.log('progress page: ' + checks.length + ' checks passed');
} finally {
  await browser.close();
}
