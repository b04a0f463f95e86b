// Without a session: navigating straight to any page shows the login form, the admin API
// answers 401 to the browser, and a forged cookie does not help. Phone-width screenshots
// of the login form and, after logging in, of the device list.
import {byTestId, check, env, expectEq, login, run, screenshot} from './lib.mjs';

await run(async ({page, context}) => {
  for (const hash of ['#/devices', `#/devices/${env.devices[0].hex}`, '#/tokens', '#/policies', '#/cves', '#/events', '#/']) {
    await page.goto(`${env.url}/${hash}`);
    await byTestId(page, 'login-username').waitFor();
    expectEq(`${hash} without a session shows the login form and no navigation`,
             await byTestId(page, 'nav-devices').count(), 0);
  }
  await screenshot(page, 'phone-login');
  const api = await page.evaluate(async () => {
    const r = await fetch('/v1/admin/devices');
    const s = await fetch('/v1/session');
    return {devices: r.status, body: await r.text(), session: s.status};
  });
  expectEq('GET /v1/admin/devices without a session is 401', api.devices, 401);
  check('with an error body', api.body.includes('"unauthenticated"'), api.body);
  expectEq('GET /v1/session without a session is 401', api.session, 401);
  const url = new URL(env.url);
  await context.addCookies([{name: 'wott_session', value: 'f'.repeat(64), domain: url.hostname,
                             path: '/', secure: true, httpOnly: true, sameSite: 'Strict'}]);
  await page.goto(`${env.url}/#/devices`);
  await byTestId(page, 'login-username').waitFor();
  const forged = await page.evaluate(async () => (await fetch('/v1/admin/devices')).status);
  expectEq('a forged session cookie is 401', forged, 401);
  check('and the page shows the login form', (await byTestId(page, 'devices-table').count()) === 0);

  // The requested page opens after logging in.
  await login(page, {hash: '#/devices'});
  await byTestId(page, 'devices-table').waitFor();
  check('after logging in, the requested page opens', page.url().endsWith('#/devices'), page.url());
  await page.locator('[data-testid="device-row"]').first().waitFor();
  await screenshot(page, 'phone-devices');
}, {width: 390, height: 844});
