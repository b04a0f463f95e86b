// One device (GET /v1/admin/devices/{id}): tabs identity, certificate, history, security;
// revoke and delete behind a confirmation dialog. #/devices/<hex>?tab=certificate
import {api, withQuery} from './api.js';
import {badge, confirmDialog, h, mount, note} from './dom.js';
import {formatMap, formatTime, groupHex, relativeTime, renewAfter} from './format.js';
import {renderSecurity} from './page_security.js';

const TABS = [
  ['identity', 'Identity'], ['certificate', 'Certificate'], ['history', 'History'],
  ['security', 'Security'],
];
const REASONS = ['unspecified', 'key_compromise', 'affiliation_changed', 'superseded',
                 'cessation_of_operation', 'privilege_withdrawn'];

// A definition list from [label, value, testid?] rows; values are text or nodes.
function facts(rows) {
  return h('dl', {class: 'facts'}, rows.filter(Boolean).map(([label, value, testid]) =>
    [h('dt', {}, label), h('dd', {testid}, value === '' || value == null ? '—' : value)]));
}

// <time datetime="...">2026-12-04 10:21:22 UTC</time> (in 7 days)
function when(rfc3339, testid) {
  if (!rfc3339) return h('span', {testid}, '—');
  return h('span', {},
    h('time', {datetime: rfc3339, testid}, formatTime(rfc3339)),
    h('span', {class: 'muted'}, ` (${relativeTime(rfc3339)})`));
}

function identityTab(d) {
  return facts([
    ['Device ID', h('span', {class: 'mono', testid: 'device-id'}, d.hex)],
    ['Name', h('span', {class: 'mono'}, d.id)],
    ['Status', badge(d.status)],
    ['Hostname', d.hostname || d.metadata?.hostname || '', 'device-hostname'],
    ['Operating system', d.os || d.metadata?.os || '', 'device-os'],
    ['Agent version', d.agent_version],
    ['Last seen', d.last_seen ? when(d.last_seen) : 'never'],
    ['Uptime', d.uptime_seconds ? `${Math.floor(d.uptime_seconds / 86400)} d ${Math.floor((d.uptime_seconds % 86400) / 3600)} h` : ''],
    ['Tags', formatMap(d.tags), 'device-tags'],
    ['Metadata', formatMap(d.metadata), 'device-metadata'],
    ['Enrolled', when(d.created_at)],
    ['Enrollment token', h('span', {class: 'mono'}, d.enrollment_token_id || '')],
    d.revoked_at ? ['Revoked', h('span', {}, when(d.revoked_at), ` — ${d.revocation_reason || ''}`)] : null,
  ]);
}

async function downloadPem(hex, button) {
  button.disabled = true;
  try {
    const cert = await api.get(`/v1/devices/${encodeURIComponent(hex)}/certificate`);
    const blob = new Blob([cert.certificate], {type: 'application/x-pem-file'});
    const url = URL.createObjectURL(blob);
    const a = h('a', {href: url, download: `${hex}.crt`});
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (e) {
    button.after(note('error', e.status === 404 ? 'No current certificate to download.' : e.message));
  } finally {
    button.disabled = false;
  }
}

// 32 colon-separated bytes on two lines of 16.
function fingerprint(hex) {
  const grouped = groupHex(hex);
  const half = grouped.length > 48 ? 48 : grouped.length;
  return h('span', {class: 'mono', testid: 'cert-fingerprint', title: hex},
           grouped.slice(0, half), half < grouped.length ? h('br') : '', grouped.slice(half));
}

function certificateTab(d) {
  const current = (d.certificates || []).find((c) => c.current);
  if (!current) return note('empty', 'This device has no current certificate.', 'no-certificate');
  const renew = renewAfter({...current, renew_after: d.current_certificate?.renew_after});
  const download = h('button', {type: 'button', class: 'button', testid: 'cert-download'},
                     'Download certificate (PEM)');
  download.addEventListener('click', () => downloadPem(d.hex, download));
  return h('div', {},
    facts([
      ['Serial', h('span', {class: 'mono', testid: 'cert-serial'}, current.serial)],
      ['State', badge(current.state, 'cert-state')],
      ['Not before', when(current.not_before, 'cert-not-before')],
      ['Not after', when(current.not_after, 'cert-not-after')],
      ['Next renewal', h('span', {}, when(renew.time, 'cert-renew-after'),
        renew.computed ? h('span', {class: 'muted'}, ' — computed: two thirds of the lifetime, as the server tells agents; agents add a little jitter') : '')],
      ['Issued', when(current.issued_at)],
      ['SHA-256 fingerprint', fingerprint(current.sha256_fingerprint)],
    ]),
    d.status === 'active' ? download : null);
}

function historyTab(d) {
  const rows = (d.certificates || []).map((c) => h('tr', {testid: 'history-row'},
    h('td', {class: 'mono'}, c.serial, c.current ? h('span', {class: 'badge badge-current'}, 'current') : ''),
    h('td', {}, badge(c.state)),
    h('td', {}, formatTime(c.not_before)),
    h('td', {}, formatTime(c.not_after)),
    h('td', {}, c.revoked_at ? `${formatTime(c.revoked_at)} (${c.revocation_reason})` : '')));
  if (!rows.length) return note('empty', 'No certificates.');
  return h('div', {class: 'table-wrap'}, h('table', {class: 'data', testid: 'history-table'},
    h('thead', {}, h('tr', {}, ['Serial', 'State', 'Not before', 'Not after', 'Revoked'].map((x) => h('th', {}, x)))),
    h('tbody', {}, rows)));
}

async function revoke(d, go) {
  const reason = h('select', {testid: 'revoke-reason', 'aria-label': 'Reason'},
    REASONS.map((r) => h('option', {value: r}, r.replaceAll('_', ' '))));
  const ok = await confirmDialog({
    title: 'Revoke this device?',
    message: `Device ${d.hex} and all its certificates go on the CRL at once; it can never renew again.`,
    confirmLabel: 'Revoke',
    body: h('label', {class: 'inline'}, 'Reason ', reason),
  });
  if (!ok) return;
  await api.post(`/v1/admin/devices/${encodeURIComponent(d.hex)}/revoke`, {reason: reason.value});
  go(location.hash);
}

async function remove(d, go) {
  const ok = await confirmDialog({
    title: 'Delete this device?',
    message: `Device ${d.hex} is marked deleted and its certificates are revoked. Its record stays for history.`,
    confirmLabel: 'Delete',
  });
  if (!ok) return;
  await api.del(`/v1/admin/devices/${encodeURIComponent(d.hex)}`);
  go('#/devices');
}

export async function renderDevice(el, {id, params, go, isCurrent}) {
  const tab = TABS.some(([t]) => t === params.get('tab')) ? params.get('tab') : 'identity';
  mount(el, h('h1', {}, 'Device'), note('info', 'Loading…'));
  let d;
  try {
    d = await api.get(withQuery(`/v1/admin/devices/${encodeURIComponent(id)}`, {}));
  } catch (e) {
    if (e.status === 404 || e.status === 400) {
      mount(el, h('h1', {}, 'Device'), note('error', e.message, 'device-error'));
      return;
    }
    throw e;
  }
  if (!isCurrent()) return;
  const actionError = h('div', {});
  const guard = (fn) => async () => {
    mount(actionError);
    try {
      await fn(d, go);
    } catch (e) {
      if (e.status !== 401) mount(actionError, note('error', e.message, 'action-error'));
    }
  };
  const actions = h('div', {class: 'actions'},
    d.status === 'active' ? h('button', {type: 'button', class: 'button danger', testid: 'revoke-button',
                                         onclick: guard(revoke)}, 'Revoke') : null,
    d.status !== 'deleted' ? h('button', {type: 'button', class: 'button danger-outline', testid: 'delete-button',
                                          onclick: guard(remove)}, 'Delete') : null);
  const tabs = h('div', {class: 'tabs', role: 'tablist'}, TABS.map(([t, label]) =>
    h('a', {href: `#/devices/${encodeURIComponent(d.hex)}?tab=${t}`, role: 'tab',
            class: t === tab ? 'tab active' : 'tab', 'aria-selected': t === tab ? 'true' : 'false',
            testid: `tab-${t}`}, label)));
  const body = h('section', {class: 'panel', role: 'tabpanel'});
  mount(el,
    h('p', {class: 'crumbs'}, h('a', {href: '#/devices'}, '← Devices')),
    h('div', {class: 'title-row'},
      h('h1', {}, d.hostname || d.metadata?.hostname || 'Device', ' ', badge(d.status, 'device-status')),
      actions),
    h('p', {class: 'mono muted'}, d.id),
    actionError, tabs, body);
  if (tab === 'identity') mount(body, identityTab(d));
  else if (tab === 'certificate') mount(body, certificateTab(d));
  else if (tab === 'history') mount(body, historyTab(d));
  else await renderSecurity(body, d, isCurrent);
}
