// Devices (GET /v1/admin/devices): search, status and tag filters, sortable columns and
// server-side paging. The state lives in the hash: #/devices?q=&status=&tag=&sort=&order=&page=
import {api, withQuery} from './api.js';
import {badge, h, mount, note} from './dom.js';
import {formatMap, formatTime, relativeTime} from './format.js';

const PAGE_SIZE = 25;
const COLUMNS = [
  {label: 'Device', sort: 'name'},
  {label: 'Status'},
  {label: 'Hostname'},
  {label: 'Tags', opt: true},
  {label: 'Last seen', sort: 'last_seen', opt: true},
  {label: 'Certificate expires', sort: 'expiry'},
  {label: 'Enrolled', sort: 'created_at', opt: true},
];
// The server's default order per sort field (desc for times of the past).
const DEFAULT_DESC = {created_at: true, last_seen: true};

function stateFrom(params) {
  return {
    q: params.get('q') || '',
    status: params.get('status') || '',
    tag: params.get('tag') || '',
    sort: params.get('sort') || 'created_at',
    order: params.get('order') || '',
    page: Math.max(1, parseInt(params.get('page') || '1', 10) || 1),
  };
}

function hashOf(state) {
  const s = {...state};
  if (s.page === 1) delete s.page;
  if (s.sort === 'created_at' && !s.order) delete s.sort;
  return withQuery('#/devices', s);
}

function descending(state) {
  return state.order ? state.order === 'desc' : Boolean(DEFAULT_DESC[state.sort]);
}

export function deviceRow(device) {
  const expiry = device.current_certificate ? device.current_certificate.not_after : null;
  const link = h('a', {href: `#/devices/${encodeURIComponent(device.hex)}`, class: 'mono'}, device.hex);
  const row = h('tr', {testid: 'device-row', 'data-device-id': device.hex, class: 'clickable'},
    h('td', {}, link),
    h('td', {}, badge(device.status, 'device-status')),
    h('td', {testid: 'device-hostname'}, device.hostname || device.metadata?.hostname || ''),
    h('td', {class: 'tags opt'}, formatMap(device.tags)),
    h('td', {class: 'opt', title: formatTime(device.last_seen)}, device.last_seen ? relativeTime(device.last_seen) : 'never'),
    h('td', {title: formatTime(expiry)}, expiry ? relativeTime(expiry) : '—'),
    h('td', {class: 'opt', title: formatTime(device.created_at)}, formatTime(device.created_at).slice(0, 10)));
  row.addEventListener('click', (e) => {
    if (e.target.closest('a')) return;
    location.hash = `#/devices/${encodeURIComponent(device.hex)}`;
  });
  return row;
}

export async function renderDevices(el, {params, go, isCurrent}) {
  const state = stateFrom(params);
  const search = h('input', {type: 'search', placeholder: 'Search by ID or name prefix', value: state.q,
                             testid: 'devices-search', 'aria-label': 'Search devices'});
  const status = h('select', {testid: 'devices-status', 'aria-label': 'Status'},
    ['', 'active', 'revoked', 'deleted'].map((s) =>
      h('option', {value: s, selected: s === state.status}, s || 'any status')));
  const tag = h('input', {type: 'text', placeholder: 'tag key or key=value', value: state.tag,
                          testid: 'devices-tag', 'aria-label': 'Tag filter'});
  const apply = (changes) => go(hashOf({...state, ...changes, page: changes.page || 1}));
  const form = h('form', {class: 'filters'}, search, status, tag,
    h('button', {type: 'submit', class: 'button'}, 'Filter'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    apply({q: search.value.trim(), status: status.value, tag: tag.value.trim()});
  });
  status.addEventListener('change', () => apply({q: search.value.trim(), status: status.value, tag: tag.value.trim()}));
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => apply({q: search.value.trim(), status: status.value, tag: tag.value.trim()}), 350);
  });
  const results = h('div', {class: 'results'}, note('info', 'Loading…'));
  mount(el, h('h1', {}, 'Devices'), form, results);
  if (state.q && document.activeElement !== search) {
    search.focus();
    search.setSelectionRange(search.value.length, search.value.length);
  }

  const query = {
    q: state.q, status: state.status, tag: state.tag, sort: state.sort,
    order: state.order, offset: (state.page - 1) * PAGE_SIZE, limit: PAGE_SIZE,
  };
  let data;
  try {
    data = await api.get(withQuery('/v1/admin/devices', query));
  } catch (e) {
    if (e.status === 400) {
      mount(results, note('error', e.message, 'devices-error'));
      return;
    }
    throw e;
  }
  if (!isCurrent()) return;
  const desc = descending(state);
  const headers = COLUMNS.map((c) => {
    if (!c.sort) return h('th', {class: c.opt ? 'opt' : null}, c.label);
    const active = c.sort === state.sort;
    const nextOrder = active ? (desc ? 'asc' : 'desc') : (DEFAULT_DESC[c.sort] ? 'desc' : 'asc');
    return h('th', {class: c.opt ? 'opt' : null, 'aria-sort': active ? (desc ? 'descending' : 'ascending') : null},
      h('a', {href: hashOf({...state, sort: c.sort, order: nextOrder, page: 1}),
              class: active ? 'sort active' : 'sort', testid: `sort-${c.sort}`},
        c.label, active ? (desc ? ' ▼' : ' ▲') : ''));
  });
  const total = data.total || 0;
  const first = total ? data.offset + 1 : 0;
  const last = data.offset + data.devices.length;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  mount(results,
    h('div', {class: 'table-wrap'},
      h('table', {testid: 'devices-table', class: 'data'},
        h('thead', {}, h('tr', {}, headers)),
        h('tbody', {}, data.devices.map(deviceRow)))),
    data.devices.length ? null : note('empty', 'No devices match.', 'devices-empty'),
    h('div', {class: 'pager'},
      h('span', {testid: 'devices-range'}, `${first}–${last} of ${total}`),
      h('a', {class: 'button small', href: hashOf({...state, page: state.page - 1}),
              hidden: state.page <= 1, testid: 'page-prev'}, '← Previous'),
      h('span', {}, `page ${state.page} of ${pages}`),
      h('a', {class: 'button small', href: hashOf({...state, page: state.page + 1}),
              hidden: last >= total, testid: 'page-next'}, 'Next →')));
}
