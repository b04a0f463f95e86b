// Wrong passwords: the form says so; after 5 failures for one user the 6th attempt shows
// the rate-limit message, and even the right password is refused for now.
import {byTestId, check, env, login, run, screenshot} from './lib.mjs';

await run(async ({page}) => {
  await page.goto(`${env.url}/#/`);
  const error = byTestId(page, 'login-error');
  await login(page, {password: 'not the password 1'});
  await error.waitFor();
  check('a wrong password says so', (await error.textContent()).includes('Wrong user name or password'),
        await error.textContent());
  check('and shows no rate-limit message yet', !(await error.textContent()).includes('Too many'));
  await screenshot(page, 'login-wrong-password');
  for (let i = 2; i <= 6; ++i) {
    await byTestId(page, 'login-password').fill(`not the password ${i}`);
    await byTestId(page, 'login-submit').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="login-submit"]').disabled);
  }
  await page.waitForFunction(() => document.querySelector('[data-testid="login-error"]')?.textContent.includes('Too many'));
  check('the 6th wrong password shows the rate-limit message', true);
  check('it says when to try again', /Try again in \d+ minutes?/.test(await error.textContent()), await error.textContent());
  await screenshot(page, 'login-rate-limited');
  await byTestId(page, 'login-password').fill(env.password);
  await byTestId(page, 'login-submit').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid="login-submit"]').disabled);
  check('the right password is refused while limited', (await error.textContent()).includes('Too many'));
  check('and no dashboard is shown', (await byTestId(page, 'nav-devices').count()) === 0);
});
