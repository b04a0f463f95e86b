// CVEs across the fleet (GET /v1/admin/cves, from the audit issue): CVE → packages →
// devices, filtered by severity, paged on the server.
import {api, withQuery} from './api.js';
import {badge, h, mount, note} from './dom.js';

const SEVERITIES = ['', 'critical', 'high', 'medium', 'low', 'unknown'];
const PAGE_SIZE = 50;

function packagesCell(packages) {
  return h('ul', {class: 'plain'}, (packages || []).map((p) => h('li', {},
    h('strong', {}, p.source || ''),
    p.fixed_version ? h('span', {class: 'muted'}, ` fixed in ${p.fixed_version}`) : h('span', {class: 'muted'}, ' no fix yet'),
    h('ul', {class: 'devices'}, (p.devices || []).map((d) => h('li', {},
      h('a', {href: `#/devices/${encodeURIComponent(d.id)}?tab=security`, class: 'mono'}, d.id),
      d.installed ? h('span', {class: 'muted'}, ` ${d.installed}`) : ''))))));
}

export async function renderCves(el, {params, go, isCurrent}) {
  const severity = SEVERITIES.includes(params.get('severity')) ? params.get('severity') || '' : '';
  const page = Math.max(1, parseInt(params.get('page') || '1', 10) || 1);
  const select = h('select', {testid: 'cve-severity', 'aria-label': 'Severity'},
    SEVERITIES.map((s) => h('option', {value: s, selected: s === severity}, s || 'any severity')));
  select.addEventListener('change', () => go(withQuery('#/cves', {severity: select.value})));
  const results = h('div', {}, note('info', 'Loading…'));
  mount(el, h('h1', {}, 'CVEs'), h('div', {class: 'filters'}, select), results);
  let data;
  try {
    data = await api.get(withQuery('/v1/admin/cves', {severity, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE}));
  } catch (e) {
    if (e.status === 404) {
      mount(results, note('empty', 'No vulnerability data yet: no device has reported its packages, or this server has no CVE API.', 'cves-none'));
      return;
    }
    throw e;
  }
  if (!isCurrent()) return;
  const cves = data.cves || [];
  const total = data.total || 0;
  mount(results,
    h('div', {class: 'table-wrap', hidden: !cves.length}, h('table', {class: 'data', testid: 'cve-table'},
      h('thead', {}, h('tr', {}, ['CVE', 'Severity', 'State', 'Description', 'Packages and devices'].map((x) => h('th', {}, x)))),
      h('tbody', {}, cves.map((c) => h('tr', {testid: 'cve-row'},
        h('td', {class: 'mono nowrap'}, c.cve || ''),
        h('td', {}, badge(c.severity)),
        h('td', {}, c.state || ''),
        h('td', {class: 'description'}, c.description || ''),
        h('td', {}, packagesCell(c.packages))))))),
    data.pending_devices ? note('info', `${data.pending_devices} device${data.pending_devices === 1 ? ' is' : 's are'} shown with findings from the previous vulnerability data; they are updated at their next heartbeat.`, 'cves-pending') : null,
    cves.length ? null : note('empty', severity ? `No ${severity} CVEs on any device.` : 'No known CVEs on any device that reported its packages.', 'cves-empty'),
    h('div', {class: 'pager'},
      h('span', {}, `${total} CVE${total === 1 ? '' : 's'}`),
      h('a', {class: 'button small', hidden: page <= 1, href: withQuery('#/cves', {severity, page: page - 1})}, '← Previous'),
      h('a', {class: 'button small', hidden: page * PAGE_SIZE >= total, href: withQuery('#/cves', {severity, page: page + 1})}, 'Next →')));
}
