// CSRF: with a valid session cookie, a state change without X-CSRF-Token (or with a wrong
// one) is refused with 403 csrf_failed and changes nothing; the same request with the
// session's token succeeds. GET needs no token.
import {byTestId, check, env, expectEq, login, run} from './lib.mjs';

await run(async ({page}) => {
  await login(page);
  await byTestId(page, 'overview-count-active').waitFor();
  const target = env.devices[0].hex;
  const result = await page.evaluate(async (hex) => {
    const call = async (headers) => {
      const r = await fetch(`/v1/admin/devices/${hex}/revoke`, {
        method: 'POST', credentials: 'same-origin',
        headers: {'Content-Type': 'application/json', ...headers}, body: '{}'});
      return {status: r.status, body: await r.text()};
    };
    const session = await (await fetch('/v1/session')).json();
    const list = await fetch('/v1/admin/devices');
    const none = await call({});
    const wrong = await call({'X-CSRF-Token': '0'.repeat(session.csrf_token.length)});
    const device = await (await fetch(`/v1/admin/devices/${hex}`)).json();
    const token = await fetch('/v1/admin/tokens', {method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json'}, body: '{}'});
    const right = await call({'X-CSRF-Token': session.csrf_token});
    return {get: list.status, none, wrong, statusAfter: device.status, token: token.status, right};
  }, target);
  expectEq('GET with the cookie and no CSRF header is allowed', result.get, 200);
  expectEq('POST without X-CSRF-Token is 403', result.none.status, 403);
  check('its error code is csrf_failed', result.none.body.includes('"csrf_failed"'), result.none.body);
  expectEq('POST with a wrong X-CSRF-Token is 403', result.wrong.status, 403);
  expectEq('the device was not revoked by either', result.statusAfter, 'active');
  expectEq('creating a token without the header is 403 too', result.token, 403);
  expectEq('the same POST with the session\'s token succeeds', result.right.status, 200);
});
