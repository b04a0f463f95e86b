// The dashboard's files over real HTTPS (Node's fetch, trusting the test CA through
// NODE_EXTRA_CA_CERTS): security headers on every answer, Content-Type, ETag and 304,
// HEAD, 404 for unknown or unsafe names, and the page itself loads under its CSP.
import {byTestId, check, env, expectEq, run} from './lib.mjs';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

function securityHeadersOk(r) {
  return r.headers.get('content-security-policy') === CSP &&
         r.headers.get('x-content-type-options') === 'nosniff' &&
         r.headers.get('referrer-policy') === 'no-referrer' &&
         r.headers.get('x-frame-options') === 'DENY';
}

await run(async ({page}) => {
  const index = await fetch(`${env.url}/`);
  expectEq('GET / is 200', index.status, 200);
  expectEq('GET / is HTML', index.headers.get('content-type'), 'text/html; charset=utf-8');
  check('GET / has the security headers', securityHeadersOk(index));
  check('index.html loads the app module', (await index.text()).includes('src="/assets/app.js"'));

  const js = await fetch(`${env.url}/assets/app.js`);
  expectEq('app.js is JavaScript', js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  check('app.js has the security headers', securityHeadersOk(js));
  const etag = js.headers.get('etag');
  check('app.js has a strong ETag', /^"[0-9a-f]{64}"$/.test(etag || ''), etag);
  const css = await fetch(`${env.url}/assets/app.css`);
  expectEq('app.css is CSS', css.headers.get('content-type'), 'text/css; charset=utf-8');

  const again = await fetch(`${env.url}/assets/app.js`, {headers: {'If-None-Match': etag}});
  expectEq('If-None-Match with its ETag is 304', again.status, 304);
  const other = await fetch(`${env.url}/assets/app.js`, {headers: {'If-None-Match': '"0"'}});
  expectEq('another ETag is 200', other.status, 200);

  const head = await fetch(`${env.url}/assets/app.js`, {method: 'HEAD'});
  expectEq('HEAD is 200', head.status, 200);
  expectEq('HEAD has the ETag', head.headers.get('etag'), etag);
  expectEq('HEAD has no body', (await head.text()).length, 0);

  // (fetch would resolve a bare %2e%2e segment itself; the router-level test covers it.)
  for (const p of ['/assets/nope.js', '/assets/..%2f..%2fca%2froot.key', '/assets/..%2Fregistry.db',
                   '/assets/APP.JS', '/assets/index.htm', '/assets/.hidden.js']) {
    const r = await fetch(`${env.url}${p}`);
    expectEq(`${p} is 404`, r.status, 404);
    check(`${p} still has the security headers`, securityHeadersOk(r));
  }
  const nul = await fetch(`${env.url}/assets/index.html%00.js`);
  expectEq('an encoded NUL in the name is refused by the router (400)', nul.status, 400);
  const post = await fetch(`${env.url}/assets/app.js`, {method: 'POST'});
  expectEq('POST to an asset is 405', post.status, 405);

  // The page runs under that policy without violations.
  const violations = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.goto(`${env.url}/`);
  await byTestId(page, 'login-username').waitFor();
  expectEq('no CSP violation while loading the app', violations.length, 0);
});
