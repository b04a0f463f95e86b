// Enrollment tokens (/v1/admin/tokens): create (uses, ttl, tags) → the secret and the exact
// `wott-agent enroll ...` command, shown once with a copy button; list; revoke.
import {api, withQuery} from './api.js';
import {badge, confirmDialog, h, mount, note} from './dom.js';
import {formatMap, formatTime, parseMap, relativeTime} from './format.js';

function copyButton(text, testid) {
  const button = h('button', {type: 'button', class: 'button small', testid}, 'Copy');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = 'Copied';
    } catch (e) {
      button.textContent = 'Select and copy by hand';
    }
    setTimeout(() => { button.textContent = 'Copy'; }, 2000);
  });
  return button;
}

function createdBox(t) {
  const command = (t.enroll && t.enroll.command) || '';
  return h('section', {class: 'panel created', testid: 'token-created'},
    h('h2', {}, `Token ${t.id} created`),
    h('p', {}, 'Shown only now: copy it before leaving this page.'),
    h('label', {}, 'Token'),
    h('div', {class: 'copy-row'}, h('code', {testid: 'token-secret'}, t.token), copyButton(t.token, 'copy-token')),
    h('label', {}, 'On the device, run'),
    h('div', {class: 'copy-row'}, h('code', {testid: 'token-command', class: 'wrap'}, command),
      copyButton(command, 'copy-command')),
    t.enroll && t.enroll.ca_fingerprint
      ? h('p', {class: 'muted'}, 'CA fingerprint (SHA-256): ', h('span', {class: 'mono wrap'}, t.enroll.ca_fingerprint))
      : null);
}

function tokenRow(t, onRevoke) {
  return h('tr', {testid: 'token-row', 'data-token-id': t.id},
    h('td', {class: 'mono'}, t.id),
    h('td', {}, badge(t.state)),
    h('td', {}, `${t.uses_left} / ${t.max_uses}`),
    h('td', {}, formatMap(t.tags)),
    h('td', {}, t.description || ''),
    h('td', {title: formatTime(t.expires_at)}, relativeTime(t.expires_at)),
    h('td', {}, t.created_by || ''),
    h('td', {}, t.state === 'active'
      ? h('button', {type: 'button', class: 'button small danger-outline', testid: 'token-revoke',
                     onclick: () => onRevoke(t)}, 'Revoke') : ''));
}

export async function renderTokens(el, {params, go, isCurrent}) {
  const showAll = params.get('all') === 'true';
  const uses = h('input', {type: 'number', min: 1, max: 1000000, value: '1', testid: 'token-uses', id: 'token-uses'});
  const ttl = h('input', {type: 'text', value: '24h', testid: 'token-ttl', id: 'token-ttl', size: 8,
                          placeholder: '24h, 7d, 1h30m'});
  const tags = h('input', {type: 'text', testid: 'token-tags', id: 'token-tags', placeholder: 'site=paris, env=prod'});
  const description = h('input', {type: 'text', testid: 'token-description', id: 'token-description', maxlength: 256});
  const formError = h('div', {});
  const created = h('div', {});
  const list = h('div', {}, note('info', 'Loading…'));
  const form = h('form', {class: 'panel form-grid'},
    h('h2', {}, 'New enrollment token'),
    h('label', {for: 'token-uses'}, 'Uses'), uses,
    h('label', {for: 'token-ttl'}, 'Valid for'), ttl,
    h('label', {for: 'token-tags'}, 'Tags for the devices'), tags,
    h('label', {for: 'token-description'}, 'Description'), description,
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'button primary', testid: 'token-create'}, 'Create token')),
    formError);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    mount(formError);
    let body;
    try {
      body = {uses: Number(uses.value), ttl: ttl.value.trim(), tags: parseMap(tags.value)};
      if (description.value.trim()) body.description = description.value.trim();
    } catch (err) {
      mount(formError, note('error', `Tags: ${err.message}`, 'token-error'));
      return;
    }
    try {
      const t = await api.post('/v1/admin/tokens', body);
      mount(created, createdBox(t));
      await loadList();
    } catch (err) {
      if (err.status !== 401) mount(formError, note('error', err.message, 'token-error'));
    }
  });

  const onRevoke = async (t) => {
    const ok = await confirmDialog({title: 'Revoke this token?',
                                    message: `Token ${t.id} can no longer enroll devices.`,
                                    confirmLabel: 'Revoke'});
    if (!ok) return;
    try {
      await api.del(`/v1/admin/tokens/${encodeURIComponent(t.id)}`);
      await loadList();
    } catch (err) {
      if (err.status !== 401) mount(list, note('error', err.message));
    }
  };

  async function loadList() {
    const data = await api.get(withQuery('/v1/admin/tokens', {all: showAll ? 'true' : '', limit: 200}));
    if (!isCurrent()) return;
    const tokens = data.tokens || [];
    mount(list,
      h('div', {class: 'title-row'},
        h('h2', {}, showAll ? 'All tokens' : 'Usable tokens'),
        h('a', {href: showAll ? '#/tokens' : '#/tokens?all=true', class: 'button small'},
          showAll ? 'Show usable only' : 'Show all')),
      tokens.length ? h('div', {class: 'table-wrap'}, h('table', {class: 'data', testid: 'tokens-table'},
        h('thead', {}, h('tr', {}, ['ID', 'State', 'Uses left', 'Tags', 'Description', 'Expires', 'Created by', ''].map((x) => h('th', {}, x)))),
        h('tbody', {}, tokens.map((t) => tokenRow(t, onRevoke)))))
        : note('empty', 'No tokens.'));
  }

  mount(el, h('h1', {}, 'Enrollment tokens'), form, created, h('section', {class: 'panel'}, list));
  await loadList();
}
