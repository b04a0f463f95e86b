// The device's security tab (GET /v1/admin/devices/{id}/security, from the audit issue):
// trust score and its factors, host audit, package inventory and CVE findings. A 404
// (no audit yet, or a server without the posture API) shows "no audit reported yet".
import {api} from './api.js';
import {badge, h, mount, note} from './dom.js';
import {formatTime, relativeTime} from './format.js';

const NO_AUDIT = 'No audit reported yet: the device has not sent an audit, or this server has no posture data.';

function scoreClass(score) {
  if (score == null) return 'score';
  if (score >= 80) return 'score good';
  if (score >= 50) return 'score fair';
  return 'score poor';
}

function hostAudit(a) {
  if (!a) return note('empty', 'No host audit reported.');
  const rows = [];
  const ssh = a.sshd || {};
  for (const f of ssh.findings || []) {
    rows.push(['ssh', `${f.keyword} ${f.value}`, f.message || '']);
  }
  for (const s of a.insecure_services || []) {
    rows.push(['insecure service', `${s.service} on ${s.address}:${s.port}`, s.process || '']);
  }
  if (a.reboot_required === 'yes') rows.push(['system', 'reboot required', '']);
  if (a.unattended_upgrades === 'no') rows.push(['system', 'unattended upgrades off', '']);
  const fw = a.firewall || {};
  if (fw.state === 'no') rows.push(['firewall', 'no rule filters incoming traffic', fw.backend || '']);
  const conf = a.confinement || {};
  if (conf.state === 'no') rows.push(['confinement', 'no AppArmor or SELinux enforcement', '']);
  const listening = (a.sockets && a.sockets.listening) || [];
  return h('div', {},
    rows.length ? h('table', {class: 'data', testid: 'audit-table'},
      h('thead', {}, h('tr', {}, ['Area', 'Finding', 'Detail'].map((x) => h('th', {}, x)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))))
      : note('info', 'The host audit found nothing to report.'),
    h('p', {class: 'muted'}, `${listening.length} listening socket${listening.length === 1 ? '' : 's'}` +
      (listening.length ? `: ${listening.slice(0, 12).map((s) => `${s.protocol} ${s.address}:${s.port}${s.process ? ` (${s.process})` : ''}`).join(', ')}` : '')));
}

function findingsTable(findings) {
  if (!findings || !findings.length) return note('info', 'No known vulnerabilities in the reported packages.');
  return h('div', {class: 'table-wrap'}, h('table', {class: 'data', testid: 'findings-table'},
    h('thead', {}, h('tr', {}, ['CVE', 'Severity', 'State', 'Package', 'Installed', 'Fixed in'].map((x) => h('th', {}, x)))),
    h('tbody', {}, findings.map((f) => h('tr', {},
      h('td', {class: 'mono', title: f.description || ''}, f.id || f.cve || ''),
      h('td', {}, badge(f.severity)),
      h('td', {}, f.state || ''),
      h('td', {}, f.package || ''),
      h('td', {class: 'mono'}, f.installed_version || ''),
      h('td', {class: 'mono'}, f.fixed_version || '—'))))));
}

export async function renderSecurity(el, device, isCurrent) {
  mount(el, note('info', 'Loading…'));
  let s;
  try {
    s = await api.get(`/v1/admin/devices/${encodeURIComponent(device.hex)}/security`);
  } catch (e) {
    if (e.status === 404) {
      mount(el, note('empty', NO_AUDIT, 'security-none'));
      return;
    }
    throw e;
  }
  if (!isCurrent()) return;
  const nothing = !s || Object.keys(s).length === 0 ||
    (s.trust_score == null && !s.host_audit && !s.inventory && !(s.findings || []).length);
  if (nothing) {
    mount(el, note('empty', NO_AUDIT, 'security-none'));
    return;
  }
  const score = s.trust_score;
  const counts = s.counts || {};
  const inv = s.inventory;
  mount(el,
    h('div', {class: 'score-row'},
      h('div', {class: scoreClass(score)},
        h('span', {class: 'value', testid: 'security-score'}, score == null ? '—' : String(score)),
        h('span', {class: 'label'}, 'trust score')),
      h('ul', {class: 'factors'}, (s.score_factors || []).map((f) =>
        h('li', {}, h('span', {class: 'points'}, `${f.points > 0 ? '+' : ''}${f.points}`), ' ',
          h('strong', {}, f.factor || ''), f.detail ? ` — ${f.detail}` : '')))),
    h('h3', {}, 'Packages'),
    inv ? h('p', {}, `${inv.packages} package${inv.packages === 1 ? '' : 's'}, ${inv.os_id || ''} ${inv.codename || ''}, reported `,
            h('time', {datetime: inv.reported_at || '', title: formatTime(inv.reported_at)}, relativeTime(inv.reported_at)))
        : note('empty', 'No package inventory reported.'),
    Object.keys(counts).length ? h('p', {class: 'counts'}, Object.entries(counts).map(([k, v]) =>
      h('span', {class: 'count'}, h('strong', {}, String(v)), ` ${k.replaceAll('_', ' ')}`))) : null,
    findingsTable(s.findings),
    h('h3', {}, 'Host audit'),
    hostAudit(s.host_audit));
}
