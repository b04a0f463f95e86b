// A device whose hostname is `<img src=x onerror=alert(1)>` (reported by the real agent)
// shows that text and runs nothing: no dialog (lib.mjs fails the test on one), no <img>
// element anywhere, on the list, the device page and the events page.
import {byTestId, check, env, expectEq, login, run, screenshot} from './lib.mjs';

const HOSTILE = '<img src=x onerror=alert(1)>';

await run(async ({page}) => {
  const hostile = env.devices.find((d) => d.hostname === HOSTILE);
  check('the setup enrolled the hostile device', Boolean(hostile));
  const failedRequests = [];
  page.on('request', (r) => {
    if (/\/x$/.test(new URL(r.url()).pathname)) failedRequests.push(r.url());
  });
  await login(page, {hash: '#/devices'});
  const row = page.locator(`[data-testid="device-row"][data-device-id="${hostile.hex}"]`);
  await row.waitFor();
  expectEq('the list shows the hostname as text', await row.locator('[data-testid="device-hostname"]').textContent(), HOSTILE);
  expectEq('no <img> element exists on the list page', await page.locator('img').count(), 0);
  await screenshot(page, 'xss-devices');

  await page.goto(`${env.url}/#/devices/${hostile.hex}`);
  await byTestId(page, 'device-hostname').waitFor();
  expectEq('the device page shows it as text', await byTestId(page, 'device-hostname').textContent(), HOSTILE);
  check('the page title shows it as text', (await page.locator('h1').first().textContent()).includes(HOSTILE));
  expectEq('no <img> element exists on the device page', await page.locator('img').count(), 0);
  await screenshot(page, 'xss-device');

  // Tags and metadata are device-reported too: set hostile ones through the API and look again.
  const put = await page.evaluate(async ({hex, value}) => {
    const s = await (await fetch('/v1/session')).json();
    const r = await fetch(`/v1/admin/devices/${hex}/tags`, {method: 'PUT',
      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token},
      body: JSON.stringify({tags: {note: value}})});
    return r.status;
  }, {hex: hostile.hex, value: '<script>alert(2)</script><svg onload=alert(3)>'});
  expectEq('hostile tag set', put, 200);
  await page.reload();
  await byTestId(page, 'device-tags').waitFor();
  check('the tag is shown as text', (await byTestId(page, 'device-tags').textContent()).includes('<svg onload=alert(3)>'));
  expectEq('no <script> from data', await page.locator('#app script').count(), 0);
  expectEq('no <svg> from data on the device page', await page.locator('#app svg').count(), 0);
  await page.goto(`${env.url}/#/events`);
  await byTestId(page, 'events-table').waitFor();
  await page.goto(`${env.url}/#/devices`);
  await row.waitFor();
  expectEq('no <img> after visiting every page', await page.locator('img').count(), 0);
  expectEq('the browser never requested the injected image', failedRequests.length, 0);
});
