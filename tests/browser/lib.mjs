// Shared helpers for the dashboard's browser tests: Debian's Chromium driven by
// playwright-core with a fresh profile per test, checks that print one line each, and
// screenshots into $WOTT_BUILD_DIR/browser-artifacts/ (not committed).
//
// run.sh prepares the server and exports: WOTT_URL, WOTT_USER, WOTT_PASSWORD, WOTT_WORK,
// WOTT_DEVICES (JSON file: [{hex, dir, hostname}]), WOTT_AGENT_BIN, WOTT_SERVER_BIN,
// WOTT_DATA (the server's data directory), WOTT_BUILD_DIR.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {chromium} from 'playwright-core';

export const env = {
  url: process.env.WOTT_URL,
  user: process.env.WOTT_USER,
  password: process.env.WOTT_PASSWORD,
  work: process.env.WOTT_WORK,
  agentBin: process.env.WOTT_AGENT_BIN,
  serverBin: process.env.WOTT_SERVER_BIN,
  dataDir: process.env.WOTT_DATA,
  devices: process.env.WOTT_DEVICES ? JSON.parse(fs.readFileSync(process.env.WOTT_DEVICES, 'utf8')) : [],
  artifacts: path.join(process.env.WOTT_BUILD_DIR || '.', 'browser-artifacts'),
};

let passed = 0;
let failed = 0;

export function pass(what) {
  passed += 1;
  console.log(`ok   - ${what}`);
}

export function fail(what) {
  failed += 1;
  console.log(`FAIL - ${what}`);
}

export function check(what, condition, detail = '') {
  if (condition) pass(what);
  else fail(detail ? `${what}: ${detail}` : what);
}

export function expectEq(what, actual, expected) {
  check(what, actual === expected, `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

// Starts Chromium with a fresh profile. Any JavaScript dialog (alert, confirm, prompt)
// fails the test: the dashboard never uses them, so one means injected script ran.
export async function launch({width = 1280, height = 800} = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wott-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    ignoreHTTPSErrors: true,  // the server's certificate is from the test's own CA
    viewport: {width, height},
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || await context.newPage();
  page.on('dialog', async (dialog) => {
    fail(`a JavaScript ${dialog.type()} dialog opened: ${JSON.stringify(dialog.message())}`);
    await dialog.dismiss();
  });
  page.on('pageerror', (error) => fail(`uncaught page error: ${error.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 40[1349]/.test(msg.text())) {
      console.log(`     console: ${msg.text()}`);
    }
  });
  const close = async () => {
    await context.close();
    fs.rmSync(profile, {recursive: true, force: true});
  };
  return {context, page, close};
}

export function byTestId(page, id) {
  return page.locator(`[data-testid="${id}"]`);
}

// Opens the dashboard at `hash` and logs in through the form.
export async function login(page, {user = env.user, password = env.password, hash = '#/'} = {}) {
  await page.goto(`${env.url}/${hash}`);
  await byTestId(page, 'login-username').fill(user);
  await byTestId(page, 'login-password').fill(password);
  await byTestId(page, 'login-submit').click();
}

export async function screenshot(page, name) {
  fs.mkdirSync(env.artifacts, {recursive: true});
  const file = path.join(env.artifacts, `${name}.png`);
  await page.screenshot({path: file, fullPage: true});
  console.log(`     screenshot ${file}`);
}

// Runs `body` with a browser; prints "N passed, N failed" and sets the exit code.
export async function run(body, options) {
  let browser;
  try {
    browser = await launch(options);
    await body(browser);
  } catch (e) {
    fail(`test threw: ${e.stack || e}`);
  } finally {
    if (browser) await browser.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}
