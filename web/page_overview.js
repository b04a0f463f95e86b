// Overview (GET /v1/admin/overview): devices by status, certificates expiring soon, an
// SVG bar chart of the next 8 days of expiries, recent events.
import {api} from './api.js';
import {h, mount, note, svg} from './dom.js';
import {eventsTable} from './page_events.js';

function card(label, value, testid, href, kind = '') {
  const body = [h('span', {class: 'value', testid}, String(value ?? 0)), h('span', {class: 'label'}, label)];
  return href ? h('a', {class: `card ${kind}`, href}, body) : h('div', {class: `card ${kind}`}, body);
}

// Bars drawn with DOM APIs: one per day, height proportional to the count.
export function expiryChart(histogram) {
  const days = Array.isArray(histogram) ? histogram : [];
  const width = 560;
  const height = 180;
  const top = 16;
  const bottom = 28;
  const barArea = height - top - bottom;
  const max = Math.max(1, ...days.map((d) => Number(d.count) || 0));
  const step = width / Math.max(1, days.length);
  const chart = svg('svg', {viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img',
                            'aria-label': 'Certificates expiring per day, next 8 days',
                            testid: 'expiry-chart'});
  chart.append(svg('line', {x1: 0, x2: width, y1: top + barArea, y2: top + barArea, class: 'axis'}));
  days.forEach((day, i) => {
    const count = Number(day.count) || 0;
    const barHeight = Math.round((count / max) * barArea);
    const x = i * step + step * 0.2;
    const bar = svg('rect', {x, y: top + barArea - barHeight, width: step * 0.6,
                             height: Math.max(barHeight, count > 0 ? 2 : 0), class: 'bar'});
    bar.append(svg('title', {}, `${day.date}: ${count}`));
    chart.append(bar);
    chart.append(svg('text', {x: x + step * 0.3, y: top + barArea - barHeight - 4,
                              class: 'bar-value', 'text-anchor': 'middle'}, String(count)));
    const label = i === 0 ? 'today' : String(day.date || '').slice(5);
    chart.append(svg('text', {x: x + step * 0.3, y: height - 8, class: 'bar-label',
                              'text-anchor': 'middle'}, label));
  });
  return chart;
}

export async function renderOverview(el, {isCurrent}) {
  mount(el, h('h1', {}, 'Overview'), note('info', 'Loading…'));
  let data;
  try {
    data = await api.get('/v1/admin/overview');
  } catch (e) {
    if (e.status === 404) {
      mount(el, h('h1', {}, 'Overview'), note('empty', 'This server has no overview endpoint.'));
      return;
    }
    throw e;
  }
  if (!isCurrent()) return;
  const devices = data.devices || {};
  const certs = data.certificates || {};
  mount(el,
    h('h1', {}, 'Overview'),
    h('section', {class: 'cards'},
      card('active devices', devices.active, 'overview-count-active', '#/devices?status=active', 'ok'),
      card('not seen for 24 h', devices.stale, 'overview-count-stale', null, 'warn'),
      card('revoked devices', devices.revoked, 'overview-count-revoked', '#/devices?status=revoked', 'bad'),
      card('devices in total', devices.total, 'overview-count-total', '#/devices')),
    h('section', {class: 'cards'},
      card('certificates expiring in 24 h', certs.expiring_24h, 'overview-expiring-24h',
           '#/devices?status=active&sort=expiry', certs.expiring_24h ? 'bad' : ''),
      card('certificates expiring in 7 days', certs.expiring_7d, 'overview-expiring-7d',
           '#/devices?status=active&sort=expiry', certs.expiring_7d ? 'warn' : ''),
      card('expired (active devices)', certs.expired, 'overview-expired', null,
           certs.expired ? 'bad' : '')),
    h('section', {class: 'panel'},
      h('h2', {}, 'Upcoming certificate expiries'),
      expiryChart(data.expiry_histogram)),
    h('section', {class: 'panel'},
      h('h2', {}, 'Recent events'),
      eventsTable(data.recent_events || []),
      h('p', {}, h('a', {href: '#/events'}, 'All events →'))));
}
