// The operator's path through the dashboard: log in, see the devices, read a device's
// certificate expiry (against openssl's reading of the device's own client.crt), create a
// token and enroll a new agent with the command the page shows, revoke a device, log out.
// A screenshot of every page goes to browser-artifacts/.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {byTestId, check, env, expectEq, login, run, screenshot} from './lib.mjs';

function opensslEndDate(certFile) {
  // "notAfter=Dec  4 10:21:22 2026 GMT"
  const out = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-enddate'], {encoding: 'utf8'});
  return new Date(out.trim().replace(/^notAfter=/, '')).toISOString().replace(/\.000Z$/, 'Z');
}

async function rowIds(page) {
  return page.locator('[data-testid="device-row"]').evaluateAll((rows) => rows.map((r) => r.dataset.deviceId));
}

await run(async ({page}) => {
  // Log in.
  await page.goto(`${env.url}/`);
  await byTestId(page, 'login-username').waitFor();
  await screenshot(page, 'login');
  await login(page);
  await byTestId(page, 'overview-count-active').waitFor();
  expectEq('overview counts the 3 active devices', await byTestId(page, 'overview-count-active').textContent(), '3');
  expectEq('overview counts no revoked device', await byTestId(page, 'overview-count-revoked').textContent(), '0');
  expectEq('no certificate expires within 24 h', await byTestId(page, 'overview-expiring-24h').textContent(), '0');
  check('the expiry chart has 8 bars', (await page.locator('svg.chart rect.bar').count()) === 8);
  const bars = await page.locator('svg.chart text.bar-value').allTextContents();
  expectEq('the chart counts the 3 certificates (7-day lifetime: the 8th day)', bars.map(Number).reduce((a, b) => a + b, 0), 3);
  await screenshot(page, 'overview');

  // The device list shows the enrolled devices.
  await byTestId(page, 'nav-devices').click();
  await byTestId(page, 'devices-table').waitFor();
  await page.locator('[data-testid="device-row"]').first().waitFor();
  const ids = await rowIds(page);
  expectEq('the list has 3 devices', ids.length, 3);
  check('every enrolled device is listed', env.devices.every((d) => ids.includes(d.hex)), JSON.stringify(ids));
  const kitchen = env.devices.find((d) => d.hostname === 'pi-kitchen');
  const kitchenRow = page.locator(`[data-testid="device-row"][data-device-id="${kitchen.hex}"]`);
  expectEq('the hostname reported by wott-agent ping is shown',
           await kitchenRow.locator('[data-testid="device-hostname"]').textContent(), 'pi-kitchen');
  expectEq('its status is active', await kitchenRow.locator('[data-testid="device-status"]').textContent(), 'active');
  await screenshot(page, 'devices');

  // Search narrows the list (server side).
  await byTestId(page, 'devices-search').fill(kitchen.hex.slice(0, 10));
  await page.waitForFunction((hex) => {
    const rows = document.querySelectorAll('[data-testid="device-row"]');
    return rows.length === 1 && rows[0].dataset.deviceId === hex;
  }, kitchen.hex);
  pass_('search by ID prefix leaves only that device');
  await byTestId(page, 'devices-search').fill('ffffffffffffffff');
  await page.locator('[data-testid="devices-empty"]').waitFor();
  expectEq('a prefix that matches nothing leaves no rows', (await rowIds(page)).length, 0);

  // Open a device: its certificate expiry is the one in its own client.crt.
  await page.goto(`${env.url}/#/devices`);
  await page.locator(`[data-testid="device-row"][data-device-id="${kitchen.hex}"] a`).click();
  await byTestId(page, 'device-id').waitFor();
  expectEq('the device page shows its ID', await byTestId(page, 'device-id').textContent(), kitchen.hex);
  await screenshot(page, 'device-identity');
  await byTestId(page, 'tab-certificate').click();
  await byTestId(page, 'cert-not-after').waitFor();
  const certFile = path.join(kitchen.dir, 'certs', 'client.crt');
  const notAfter = await byTestId(page, 'cert-not-after').getAttribute('datetime');
  expectEq('certificate not-after equals openssl x509 -enddate of client.crt', notAfter, opensslEndDate(certFile));
  const shown = await byTestId(page, 'cert-not-after').textContent();
  expectEq('not-after is shown in UTC', shown, notAfter.replace('T', ' ').replace('Z', ' UTC'));
  const serial = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-serial'], {encoding: 'utf8'})
    .trim().replace(/^serial=/, '').toLowerCase().replace(/^0+/, '');
  expectEq('serial equals the certificate\'s', (await byTestId(page, 'cert-serial').textContent()).replace(/^0+/, ''), serial);
  const notBefore = await byTestId(page, 'cert-not-before').getAttribute('datetime');
  const renew = await byTestId(page, 'cert-renew-after').getAttribute('datetime');
  const nb = Date.parse(notBefore);
  const na = Date.parse(notAfter);
  check('next renewal is two thirds into the lifetime',
        Math.abs(Date.parse(renew) - (nb + (na - nb) * 2 / 3)) <= 1000, `${notBefore} ${renew} ${notAfter}`);
  await screenshot(page, 'device-certificate');
  await byTestId(page, 'tab-history').click();
  await byTestId(page, 'history-table').waitFor();
  await screenshot(page, 'device-history');
  await byTestId(page, 'tab-security').click();
  await page.locator('[data-testid="security-none"], [data-testid="security-score"]').first().waitFor();
  // wott-agent ping sent the host audit and inventory with the heartbeat.
  const score = (await byTestId(page, 'security-score').count()) ? await byTestId(page, 'security-score').textContent() : '';
  check('the security tab shows the trust score from the agent\'s audit', /^\d+$/.test(score) && Number(score) <= 100, score);
  await screenshot(page, 'device-security');

  // Create a token; enroll a new agent with exactly the command shown.
  await byTestId(page, 'nav-tokens').click();
  await byTestId(page, 'token-uses').fill('2');
  await byTestId(page, 'token-ttl').fill('2h');
  await byTestId(page, 'token-tags').fill('site=lyon');
  await byTestId(page, 'token-create').click();
  await byTestId(page, 'token-command').waitFor();
  const command = (await byTestId(page, 'token-command').textContent()).trim();
  const secret = (await byTestId(page, 'token-secret').textContent()).trim();
  check('the command is a wott-agent enroll with the token and the CA fingerprint',
        command.startsWith('wott-agent enroll ') && command.includes(`--token ${secret}`) &&
        command.includes(process.env.WOTT_CA_FINGERPRINT), command);
  await screenshot(page, 'tokens');
  const argv = command.split(/\s+/);
  const newDir = path.join(env.work, 'agent-from-dashboard');
  // The shown command as is; only the agent's directory is added (the default is /opt/wott).
  execFileSync(env.agentBin, ['--dir', newDir, ...argv.slice(1)], {stdio: 'pipe'});
  const newHex = execFileSync(env.agentBin, ['--dir', newDir, 'whoami'], {encoding: 'utf8'}).trim().split('.')[0];
  check('the agent enrolled with the shown command', /^[0-9a-f]{32}$/.test(newHex), newHex);
  await byTestId(page, 'nav-devices').click();
  await page.locator(`[data-testid="device-row"][data-device-id="${newHex}"]`).waitFor();
  expectEq('the new device appears in the list', (await rowIds(page)).length, 4);
  check('it carries the token\'s tag',
        (await page.locator(`[data-device-id="${newHex}"] td.tags`).textContent()).includes('site=lyon'));
  await page.goto(`${env.url}/#/devices/${newHex}?tab=security`);
  await byTestId(page, 'security-none').waitFor();
  pass_('a device that never sent a heartbeat shows "no audit reported yet"');
  await screenshot(page, 'device-security-none');
  await byTestId(page, 'nav-devices').click();
  await byTestId(page, 'devices-table').waitFor();

  // Revoke a device through the confirmation dialog.
  await page.locator(`[data-testid="device-row"][data-device-id="${kitchen.hex}"] a`).click();
  await byTestId(page, 'revoke-button').click();
  await byTestId(page, 'confirm-button').waitFor();
  await screenshot(page, 'device-revoke-dialog');
  await byTestId(page, 'confirm-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="device-status"]')?.textContent === 'revoked');
  pass_('after revoking, the device page shows status revoked');
  await byTestId(page, 'nav-devices').click();
  const revokedRow = page.locator(`[data-testid="device-row"][data-device-id="${kitchen.hex}"]`);
  await revokedRow.waitFor();
  expectEq('the list shows it revoked', await revokedRow.locator('[data-testid="device-status"]').textContent(), 'revoked');
  const ping = (() => {
    try {
      execFileSync(env.agentBin, ['--dir', kitchen.dir, 'ping'], {stdio: 'pipe'});
      return 'accepted';
    } catch (e) {
      return String(e.stderr);
    }
  })();
  check('the revoked agent\'s next heartbeat is refused', ping !== 'accepted', ping);

  // The other pages render.
  for (const [nav, name, ready] of [['nav-policies', 'policies', 'policy-new'], ['nav-cves', 'cves', null],
                                    ['nav-events', 'events', 'events-table'], ['nav-overview', 'overview-after', 'overview-count-revoked']]) {
    await byTestId(page, nav).click();
    if (ready) await byTestId(page, ready).waitFor();
    else await page.locator('[data-testid="cves-empty"], [data-testid="cves-none"], [data-testid="cve-row"]').first().waitFor();
    await screenshot(page, name);
  }
  expectEq('overview now counts 1 revoked device', await byTestId(page, 'overview-count-revoked').textContent(), '1');

  // A trust policy: create, edit, delete.
  await byTestId(page, 'nav-policies').click();
  await byTestId(page, 'policy-new').click();
  await byTestId(page, 'policy-name').fill('web-app');
  await byTestId(page, 'policy-devices').fill(newHex);
  await byTestId(page, 'policy-tags').fill('site=lyon');
  await byTestId(page, 'policy-save').click();
  await page.locator('[data-testid="policy-row"][data-policy="web-app"]').waitFor();
  check('the new policy lists the device', (await page.locator('[data-policy="web-app"]').textContent()).includes(newHex));
  await screenshot(page, 'policies-with-one');
  await byTestId(page, 'policy-edit').click();
  await byTestId(page, 'policy-tags').fill('site=paris');
  await byTestId(page, 'policy-save').click();
  await page.waitForFunction(() => document.querySelector('[data-policy="web-app"]')?.textContent.includes('site=paris'));
  check('editing replaced its tags', !(await page.locator('[data-policy="web-app"]').textContent()).includes('site=lyon'));
  await byTestId(page, 'policy-delete').click();
  await byTestId(page, 'confirm-button').click();
  await page.locator('[data-testid="policy-row"]').waitFor({state: 'detached'});
  pass_('deleting removed it');

  // Log out: every page shows the login form again.
  await byTestId(page, 'logout').click();
  await byTestId(page, 'login-username').waitFor();
  pass_('log out shows the login form');
  for (const hash of ['#/', '#/devices', `#/devices/${newHex}`, '#/tokens']) {
    await page.goto(`${env.url}/${hash}`);
    await page.reload();
    await byTestId(page, 'login-username').waitFor();
    check(`after logout ${hash} shows the login form`, (await byTestId(page, 'devices-table').count()) === 0);
  }
  const status = await page.evaluate(async () => (await fetch('/v1/admin/devices')).status);
  expectEq('after logout the admin API answers 401 to the browser', status, 401);
});

function pass_(what) {
  check(what, true);
}
