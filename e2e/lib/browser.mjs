// Shared by every browser test in e2e/: Playwright (playwright-core, no bundled browser) driving Debian's chromium.
// A script reads its inputs from environment variables, writes screenshots to E2E_OUT (default ../target/e2e),
// prints what it saw, and exits non-zero (after a failure screenshot) when an expectation does not hold.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const outDir = process.env.E2E_OUT ?? new URL('../../target/e2e', import.meta.url).pathname;

export function env(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${name} is required`);
  }
  return value;
}

export async function launch() {
  mkdirSync(outDir, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

export function screenshotPath(name) {
  return join(outDir, `${name}.png`);
}

// Runs a test body with a fresh browser; on failure saves <name>-failure.png of every open page and exits 1.
export async function run(name, body) {
  const browser = await launch();
  for (const stale of readdirSync(outDir).filter((f) => f.startsWith(`${name}-failure-`))) {
    rmSync(join(outDir, stale));
  }
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    await body(context);
    console.log(`${name}: passed`);
  } catch (error) {
    console.error(`${name}: FAILED: ${error.stack ?? error}`);
    let i = 0;
    for (const page of context.pages()) {
      await page.screenshot({ path: screenshotPath(`${name}-failure-${i++}`) }).catch(() => {});
    }
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}
