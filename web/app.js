// The dashboard's entry point: hash routing, the session gate and the page frame.
// Routes: #/login, #/ (overview), #/devices?..., #/devices/<hex>, #/tokens, #/policies,
// #/cves, #/events. Without a session every route shows the login form.
import {currentUser, loadSession, logout, setUnauthenticatedHandler} from './api.js';
import {h, mount, note} from './dom.js';
import {renderLogin} from './page_login.js';
import {renderOverview} from './page_overview.js';
import {renderDevices} from './page_devices.js';
import {renderDevice} from './page_device.js';
import {renderTokens} from './page_tokens.js';
import {renderPolicies} from './page_policies.js';
import {renderCves} from './page_cves.js';
import {renderEvents} from './page_events.js';

const root = document.getElementById('app');
let signedIn = false;
let renderCount = 0;  // a newer navigation wins over a slower older one

const NAV = [
  {id: 'overview', label: 'Overview', href: '#/'},
  {id: 'devices', label: 'Devices', href: '#/devices'},
  {id: 'tokens', label: 'Enrollment tokens', href: '#/tokens'},
  {id: 'policies', label: 'Trust policies', href: '#/policies'},
  {id: 'cves', label: 'CVEs', href: '#/cves'},
  {id: 'events', label: 'Events', href: '#/events'},
];

// "#/devices/abc?q=x" -> {parts: ['devices', 'abc'], params: URLSearchParams('q=x')}
export function parseHash(hash = location.hash) {
  const text = hash.replace(/^#\/?/, '');
  const q = text.indexOf('?');
  const path = q < 0 ? text : text.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : text.slice(q + 1));
  return {parts: path.split('/').filter(Boolean).map(decodeURIComponent), params};
}

// Navigates to `hash` (re-rendering even when it is the current one).
export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function page(parts) {
  switch (parts[0] || '') {
    case '': return {nav: 'overview', render: renderOverview};
    case 'devices':
      return parts[1] ? {nav: 'devices', render: (el, ctx) => renderDevice(el, {...ctx, id: parts[1]})}
                      : {nav: 'devices', render: renderDevices};
    case 'tokens': return {nav: 'tokens', render: renderTokens};
    case 'policies': return {nav: 'policies', render: renderPolicies};
    case 'cves': return {nav: 'cves', render: renderCves};
    case 'events': return {nav: 'events', render: renderEvents};
    default: return {nav: '', render: (el) => mount(el, note('error', 'No such page.'))};
  }
}

function frame(active) {
  const main = h('main', {class: 'content', id: 'content'});
  const sidebar = h('nav', {class: 'sidebar'},
    h('div', {class: 'brand'}, h('span', {class: 'logo'}, 'wott'), h('span', {}, 'dashboard')),
    h('ul', {}, NAV.map((n) => h('li', {},
      h('a', {href: n.href, testid: `nav-${n.id}`, class: n.id === active ? 'active' : null,
              'aria-current': n.id === active ? 'page' : null}, n.label)))),
    h('div', {class: 'who'},
      h('span', {class: 'user', testid: 'current-user'}, currentUser() || ''),
      h('button', {type: 'button', class: 'button small', testid: 'logout', onclick: onLogout},
        'Log out')));
  mount(root, h('div', {class: 'layout'}, sidebar, main));
  return main;
}

async function onLogout() {
  try {
    await logout();
  } catch (e) {
    // The session is forgotten locally either way; the server ends it or it expires.
  }
  signedIn = false;
  go('#/login');
}

async function route() {
  const count = ++renderCount;
  const {parts, params} = parseHash();
  if (!signedIn || parts[0] === 'login') {
    if (signedIn && parts[0] === 'login') {
      go('#/');
      return;
    }
    renderLogin(root, {
      onSuccess: () => {
        signedIn = true;
        go(parts[0] === 'login' || parts.length === 0 ? '#/' : location.hash);
      },
    });
    return;
  }
  const {nav, render} = page(parts);
  const main = frame(nav);
  document.title = `wott · ${NAV.find((n) => n.id === nav)?.label || 'dashboard'}`;
  try {
    await render(main, {params, go, isCurrent: () => count === renderCount});
  } catch (e) {
    if (e.status === 401) return;  // the handler below already shows the login form
    if (count === renderCount) mount(main, note('error', e.message || String(e), 'page-error'));
  }
}

setUnauthenticatedHandler(() => {
  if (!signedIn) return;
  signedIn = false;
  route();
});

async function start() {
  try {
    signedIn = await loadSession();
  } catch (e) {
    signedIn = false;
  }
  window.addEventListener('hashchange', route);
  route();
}

start();
