// The login form (POST /v1/session). Shows the server's answer: wrong credentials, or the
// rate limit with the time to wait.
import {login} from './api.js';
import {h, mount} from './dom.js';

function minutes(seconds) {
  const m = Math.max(1, Math.ceil(seconds / 60));
  return `${m} minute${m === 1 ? '' : 's'}`;
}

export function loginErrorText(e) {
  if (e.status === 429) {
    const wait = e.retryAfter ? ` Try again in ${minutes(e.retryAfter)}.` : ' Try again later.';
    return `Too many failed attempts.${wait}`;
  }
  if (e.status === 401) return 'Wrong user name or password.';
  if (e.status === 415 || e.status === 400) return `The server refused the request: ${e.message}`;
  return e.message || 'Login failed.';
}

export function renderLogin(root, {onSuccess}) {
  document.title = 'wott · log in';
  const username = h('input', {type: 'text', name: 'username', autocomplete: 'username',
                               required: true, testid: 'login-username', id: 'login-username'});
  const password = h('input', {type: 'password', name: 'password', required: true,
                               autocomplete: 'current-password', testid: 'login-password',
                               id: 'login-password'});
  const error = h('p', {class: 'note note-error', testid: 'login-error', role: 'alert', hidden: true});
  const submit = h('button', {type: 'submit', class: 'button primary', testid: 'login-submit'},
                   'Log in');
  const form = h('form', {class: 'login-form', novalidate: true},
    h('h1', {}, h('span', {class: 'logo'}, 'wott'), ' dashboard'),
    h('label', {for: 'login-username'}, 'User name'), username,
    h('label', {for: 'login-password'}, 'Password'), password,
    error, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    if (!username.value || !password.value) {
      error.textContent = 'Enter your user name and password.';
      error.hidden = false;
      return;
    }
    submit.disabled = true;
    try {
      await login(username.value, password.value);
      password.value = '';
      onSuccess();
    } catch (e) {
      error.textContent = loginErrorText(e);
      error.hidden = false;
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  mount(root, h('div', {class: 'login-page'}, form));
  username.focus();
}
