// Formatting of times, durations and certificate dates for display.

// "2026-12-04T10:21:22Z" -> "2026-12-04 10:21:22 UTC"; "" for null.
export function formatTime(rfc3339) {
  if (!rfc3339) return '';
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return String(rfc3339);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

// "in 3 days", "5 hours ago", "just now".
export function relativeTime(rfc3339, now = Date.now()) {
  if (!rfc3339) return '';
  const t = new Date(rfc3339).getTime();
  if (Number.isNaN(t)) return '';
  const diff = t - now;
  const abs = Math.abs(diff);
  const units = [['day', 86400e3], ['hour', 3600e3], ['minute', 60e3]];
  for (const [name, ms] of units) {
    if (abs >= ms) {
      const n = Math.round(abs / ms);
      const text = `${n} ${name}${n === 1 ? '' : 's'}`;
      return diff > 0 ? `in ${text}` : `${text} ago`;
    }
  }
  return 'just now';
}

// The agent renews after this fraction of the lifetime (CaServiceOptions::renew_fraction).
export const RENEW_FRACTION = 2 / 3;

// When the agent renews: the server's renew_after when given, else not_before + 2/3 of the
// lifetime (what the server tells agents by default; agents add a little jitter).
export function renewAfter(certificate) {
  if (certificate.renew_after) return {time: certificate.renew_after, computed: false};
  const nb = new Date(certificate.not_before).getTime();
  const na = new Date(certificate.not_after).getTime();
  if (Number.isNaN(nb) || Number.isNaN(na)) return {time: null, computed: true};
  const t = new Date(nb + (na - nb) * RENEW_FRACTION);
  return {time: t.toISOString().replace(/\.\d+Z$/, 'Z'), computed: true};
}

// "aa:bb:cc..." groups of a hex fingerprint for reading.
export function groupHex(hex) {
  return String(hex || '').replace(/(..)(?!$)/g, '$1:');
}

// "site=paris, rack=b2" from {"site":"paris","rack":"b2"}.
export function formatMap(map) {
  return Object.entries(map || {}).map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join(', ');
}

// Parses "a=1, b=2" into {"a":"1","b":"2"}; throws Error with a readable message.
export function parseMap(text) {
  const out = {};
  for (const part of String(text || '').split(/[,\n]/)) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`"${item}" is not key=value`);
    out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return out;
}

// Splits a list typed one per line or comma separated.
export function parseList(text) {
  return String(text || '').split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);
}
