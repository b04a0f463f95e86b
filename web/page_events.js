// The event log (GET /v1/admin/events): newest first, filter by subject, "older" pages
// through next_before.
import {api, withQuery} from './api.js';
import {h, mount, note} from './dom.js';
import {formatTime, relativeTime} from './format.js';

// Also used by the overview's "recent events".
export function eventsTable(events) {
  if (!events.length) return note('empty', 'No events.');
  return h('div', {class: 'table-wrap'}, h('table', {class: 'data', testid: 'events-table'},
    h('thead', {}, h('tr', {}, ['Time', 'Action', 'Subject', 'Actor', 'Detail'].map((x) => h('th', {}, x)))),
    h('tbody', {}, events.map((e) => h('tr', {testid: 'event-row'},
      h('td', {title: formatTime(e.time), class: 'nowrap'}, relativeTime(e.time)),
      h('td', {}, h('span', {class: 'action'}, e.action || '')),
      h('td', {class: 'mono'}, /^[0-9a-f]{32}$/.test(e.subject || '')
        ? h('a', {href: `#/devices/${e.subject}`}, e.subject) : (e.subject || '')),
      h('td', {class: 'mono'}, e.actor || ''),
      h('td', {class: 'detail'}, e.detail || ''))))));
}

export async function renderEvents(el, {params, go, isCurrent}) {
  const subject = params.get('subject') || '';
  const before = params.get('before') || '';
  const input = h('input', {type: 'search', value: subject, placeholder: 'subject: device ID, token ID, serial, policy',
                            testid: 'events-subject', 'aria-label': 'Subject'});
  const form = h('form', {class: 'filters'}, input, h('button', {type: 'submit', class: 'button'}, 'Filter'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go(withQuery('#/events', {subject: input.value.trim()}));
  });
  const results = h('div', {}, note('info', 'Loading…'));
  mount(el, h('h1', {}, 'Events'), form, results);
  let data;
  try {
    data = await api.get(withQuery('/v1/admin/events', {subject, before, limit: 50}));
  } catch (e) {
    if (e.status === 400) {
      mount(results, note('error', e.message));
      return;
    }
    throw e;
  }
  if (!isCurrent()) return;
  mount(results, eventsTable(data.events || []),
    h('div', {class: 'pager'},
      before ? h('a', {class: 'button small', href: withQuery('#/events', {subject})}, '⇤ Newest') : null,
      data.next_before ? h('a', {class: 'button small', testid: 'events-older',
                                 href: withQuery('#/events', {subject, before: data.next_before})}, 'Older →') : null));
}
