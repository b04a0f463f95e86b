// The fleet's CVEs and a device's security tab with real data: the real agent of one
// device reads a crafted root whose libssl3 is built from openssl 3.0.11 (a vulnerable
// version), the server matches it against Debian tracker data imported with
// `wott-server cve import`, and the dashboard's CVE page and the device's security tab
// show the CVE, its package and the device. After the upgrade (3.0.14 in the crafted
// root, one more heartbeat) both are clear. Screenshots of both pages before and after.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {byTestId, check, env, expectEq, login, run, screenshot} from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TRACKER = path.join(HERE, '..', 'testdata', 'audit', 'tracker_small.json');
const CVE = 'CVE-2024-4741';

// The crafted root: Debian bookworm, and a dpkg status in which the binary package libssl3
// comes from the source package openssl at `version`.
function craftRoot(root, version) {
  fs.mkdirSync(path.join(root, 'etc'), {recursive: true});
  fs.mkdirSync(path.join(root, 'var/lib/dpkg'), {recursive: true});
  fs.writeFileSync(path.join(root, 'etc/os-release'), 'ID=debian\nVERSION_CODENAME=bookworm\n');
  fs.writeFileSync(path.join(root, 'var/lib/dpkg/status'),
    `Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: ${version}\n\n`);
}

function heartbeat(device) {
  execFileSync(env.agentBin, ['--dir', device.dir, 'ping'], {stdio: 'pipe'});
}

// GET an admin API path with the page's session cookie (a GET needs no CSRF token).
async function apiGet(page, apiPath) {
  return page.evaluate(async (p) => (await fetch(p)).json(), apiPath);
}

// Picks `severity` and waits for the page drawn from the server's answer (the page shows
// "Loading…" from the change until then, so no row of the previous answer is left).
async function filterBySeverity(page, severity) {
  const answered = page.waitForResponse((r) => r.url().includes(`/v1/admin/cves?severity=${severity}`));
  await byTestId(page, 'cve-severity').selectOption(severity);
  await answered;
  await shown(page);
}

async function shown(page) {
  await page.waitForFunction(() => document.querySelector('[data-testid="cves-empty"]') ||
    document.querySelector('[data-testid="cve-row"]'));
}

async function cveRowIds(page) {
  return page.locator('[data-testid="cve-row"] td:first-child').allTextContents();
}

await run(async ({page}) => {
  execFileSync(env.serverBin, ['--data-dir', env.dataDir, 'cve', 'import', TRACKER], {stdio: 'pipe'});
  const device = env.devices.find((d) => d.hostname === 'pi-kitchen');
  const root = path.join(env.work, 'crafted-root');
  craftRoot(root, '3.0.11-1~deb12u2');
  const configFile = path.join(device.dir, 'agent.json');
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  fs.writeFileSync(configFile, JSON.stringify({...config, audit: true, audit_root: root}));
  heartbeat(device);

  await login(page, {hash: '#/cves'});
  await byTestId(page, 'cve-table').waitFor();
  const api = await apiGet(page, '/v1/admin/cves');
  const listed = await cveRowIds(page);
  expectEq('the page lists the CVEs the API lists, in its order', JSON.stringify(listed),
           JSON.stringify(api.cves.map((c) => c.cve)));
  check(`${CVE} is listed`, listed.includes(CVE), JSON.stringify(listed));
  const fromApi = api.cves.find((c) => c.cve === CVE);
  const row = page.locator('[data-testid="cve-row"]', {hasText: CVE});
  expectEq('its severity is the one the API gives', (await row.locator('td').nth(1).textContent()).trim(),
           fromApi.severity);
  check('the row names the source package openssl', (await row.textContent()).includes('openssl'));
  check('and the installed version the agent read', (await row.textContent()).includes('3.0.11-1~deb12u2'));
  const link = row.locator(`a[href*="${device.hex}"]`);
  expectEq('and links the device', await link.count(), 1);
  await screenshot(page, 'cves');

  // The severity filter keeps it under its own severity and drops it under another.
  const other = ['critical', 'high', 'medium', 'low'].find((s) => s !== fromApi.severity);
  await filterBySeverity(page, other);
  check(`filtered by ${other}, ${CVE} is gone`, !(await cveRowIds(page)).includes(CVE));
  await filterBySeverity(page, fromApi.severity);
  check(`filtered by ${fromApi.severity}, ${CVE} is back`, (await cveRowIds(page)).includes(CVE));

  // The device link opens its security tab with the finding.
  await page.locator('[data-testid="cve-row"]', {hasText: CVE}).locator(`a[href*="${device.hex}"]`).click();
  await byTestId(page, 'findings-table').waitFor();
  check(`the device's findings list ${CVE}`, (await byTestId(page, 'findings-table').textContent()).includes(CVE));
  const scoreBefore = Number(await byTestId(page, 'security-score').textContent());
  const security = await apiGet(page, `/v1/admin/devices/${device.hex}/security`);
  expectEq('the score shown is the API\'s', scoreBefore, security.trust_score);
  await screenshot(page, 'device-security-cve');

  // After the upgrade and the next heartbeat, both pages are clear.
  craftRoot(root, '3.0.14-1~deb12u1');
  heartbeat(device);
  await page.goto(`${env.url}/#/cves`);
  await shown(page);  // the device page before has neither
  check(`after the upgrade ${CVE} is gone from the fleet`, !(await cveRowIds(page)).includes(CVE));
  await screenshot(page, 'cves-after-upgrade');
  await page.goto(`${env.url}/#/devices/${device.hex}?tab=security`);
  await byTestId(page, 'security-score').waitFor();
  const tab = await page.locator('main').textContent();
  check(`and from the device's security tab`, !tab.includes(CVE));
  const scoreAfter = Number(await byTestId(page, 'security-score').textContent());
  check(`and its trust score rose (${scoreBefore} -> ${scoreAfter})`, scoreAfter > scoreBefore);
});
