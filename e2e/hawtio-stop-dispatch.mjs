// An operator stops Sluice's dispatch from the Hawtio console: add a remote connection to Sluice's Jolokia
// (management port, /observe/jolokia), log in with the management credentials, open Camel -> routes, tick the
// dispatch route and press Stop, then wait until Hawtio itself shows the route Stopped. Screenshot:
// target/e2e/hawtio-route-stopped.png. Driven by io.sluice.e2e.HawtioStopDispatchTest, which then proves through
// the admin API that no further mail leaves.
//
// Inputs: HAWTIO_URL (http://127.0.0.1:8081/hawtio), JOLOKIA_HOST, JOLOKIA_PORT, JOLOKIA_PATH (/observe/jolokia),
// JOLOKIA_USER, JOLOKIA_PASSWORD, ROUTE_ID (dispatch-schedule).
import { env, run, screenshotPath } from './lib/browser.mjs';

const hawtio = env('HAWTIO_URL');
const route = env('ROUTE_ID', 'dispatch-schedule');
const slow = { timeout: 120_000 };

await run('hawtio-stop-dispatch', async (context) => {
  const page = await context.newPage();
  await page.goto(`${hawtio}/connect/remote`);

  // Connect -> Remote -> Add connection
  await page.getByRole('button', { name: 'Add connection' }).click(slow);
  await page.fill('#connection-form-name', 'sluice');
  await page.locator('label.pf-v5-c-switch[for="connection-form-scheme"]').click(); // HTTPS -> HTTP
  await page.fill('#connection-form-host', env('JOLOKIA_HOST', '127.0.0.1'));
  await page.fill('#connection-form-port', env('JOLOKIA_PORT'));
  await page.fill('#connection-form-path', env('JOLOKIA_PATH', '/observe/jolokia'));
  await page.getByRole('button', { name: 'Test connection' }).click();
  // Sluice answers 401 without credentials: Hawtio reads that as reachable, credentials needed.
  await page.getByText('Connection successful (auth needed)').waitFor(slow);
  await page.getByRole('button', { name: 'Add', exact: true }).click();

  // Connect opens the console for that connection in a new window, starting with its login form.
  const [sluice] = await Promise.all([
    context.waitForEvent('page', slow),
    page.getByRole('button', { name: 'Connect', exact: true }).click(),
  ]);
  await sluice.fill('#connect-login-form-username', env('JOLOKIA_USER'), slow);
  await sluice.fill('#connect-login-form-password', env('JOLOKIA_PASSWORD'));
  await sluice.getByRole('button', { name: 'Log in' }).click();

  // Camel -> the context's routes folder -> the route table
  await sluice.getByText('routes', { exact: true }).first().click(slow);
  const exactly = new RegExp(`^\\s*${route}\\s*$`);
  const row = sluice.locator('tr', { has: sluice.locator('td[data-label="Name"]', { hasText: exactly }) });
  const state = row.locator('td[data-label="State"]');
  await state.getByText('Started', { exact: true }).waitFor(slow);
  await row.getByRole('checkbox').check();
  await sluice.getByRole('button', { name: 'Stop', exact: true }).click();

  // Hawtio refreshes the table from Jolokia: the route must show Stopped there.
  await state.getByText('Stopped', { exact: true }).waitFor(slow);
  await row.scrollIntoViewIfNeeded();
  await sluice.screenshot({ path: screenshotPath('hawtio-route-stopped') });
  console.log(`route ${route}: ${(await row.innerText()).replace(/\s+/g, ' ').trim()}`);
});
