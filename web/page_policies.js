// Trust policies (/v1/admin/policies): list, create, edit the allowed devices and tags
// (a PUT replaces the whole policy), delete with confirmation.
import {api} from './api.js';
import {confirmDialog, h, mount, note} from './dom.js';
import {formatTime, parseList} from './format.js';

function policyForm(policy, {onSaved, onCancel}) {
  const creating = !policy;
  const name = h('input', {type: 'text', id: 'policy-name', testid: 'policy-name', required: true,
                           value: policy ? policy.name : '', readonly: !creating,
                           placeholder: 'web-app', pattern: '[a-z0-9][a-z0-9\\-]{0,62}'});
  const description = h('input', {type: 'text', id: 'policy-description', testid: 'policy-description',
                                  value: policy ? policy.description : '', maxlength: 256});
  const devices = h('textarea', {id: 'policy-devices', testid: 'policy-devices', rows: 4,
                                 placeholder: 'one device ID per line'});
  devices.value = policy ? (policy.allow_devices || []).join('\n') : '';
  const tags = h('textarea', {id: 'policy-tags', testid: 'policy-tags', rows: 3,
                              placeholder: 'one key=value per line'});
  tags.value = policy ? (policy.allow_tags || []).join('\n') : '';
  const error = h('div', {});
  const form = h('form', {class: 'panel form-grid', testid: 'policy-form'},
    h('h2', {}, creating ? 'New policy' : `Edit ${policy.name}`),
    h('label', {for: 'policy-name'}, 'Name'), name,
    h('label', {for: 'policy-description'}, 'Description'), description,
    h('label', {for: 'policy-devices'}, 'Allowed devices'), devices,
    h('label', {for: 'policy-tags'}, 'Allowed tags'), tags,
    h('div', {class: 'actions'},
      h('button', {type: 'button', class: 'button', onclick: onCancel}, 'Cancel'),
      h('button', {type: 'submit', class: 'button primary', testid: 'policy-save'}, 'Save')),
    error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    mount(error);
    const n = name.value.trim();
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(n)) {
      mount(error, note('error', 'Name: lowercase letters, digits and dashes, up to 63.', 'policy-error'));
      return;
    }
    try {
      await api.put(`/v1/admin/policies/${encodeURIComponent(n)}`, {
        description: description.value.trim(),
        allow_devices: parseList(devices.value),
        allow_tags: tags.value.split('\n').map((s) => s.trim()).filter(Boolean),
      });
      onSaved();
    } catch (err) {
      if (err.status !== 401) mount(error, note('error', err.message, 'policy-error'));
    }
  });
  return form;
}

function policyRow(p, {onEdit, onDelete}) {
  const list = (items) => (items && items.length ? h('ul', {class: 'plain'}, items.map((x) => h('li', {class: 'mono'}, x))) : '—');
  return h('tr', {testid: 'policy-row', 'data-policy': p.name},
    h('td', {}, h('strong', {}, p.name), p.description ? h('div', {class: 'muted'}, p.description) : ''),
    h('td', {}, list(p.allow_devices)),
    h('td', {}, list(p.allow_tags)),
    h('td', {}, `v${p.version}`, h('div', {class: 'muted'}, formatTime(p.updated_at)), h('div', {class: 'muted'}, p.updated_by || '')),
    h('td', {class: 'nowrap'},
      h('button', {type: 'button', class: 'button small', testid: 'policy-edit', onclick: () => onEdit(p)}, 'Edit'), ' ',
      h('button', {type: 'button', class: 'button small danger-outline', testid: 'policy-delete', onclick: () => onDelete(p)}, 'Delete')));
}

export async function renderPolicies(el, {isCurrent}) {
  const editor = h('div', {});
  const list = h('div', {}, note('info', 'Loading…'));
  const message = h('div', {});
  const closeEditor = () => mount(editor);
  const openEditor = (policy) => {
    mount(editor, policyForm(policy, {onSaved: async () => { closeEditor(); await load(); }, onCancel: closeEditor}));
    editor.scrollIntoView({block: 'nearest'});
  };
  const onDelete = async (p) => {
    const ok = await confirmDialog({title: `Delete policy ${p.name}?`,
                                    message: 'Tunnels that use it allow nobody once they fetch the change.',
                                    confirmLabel: 'Delete'});
    if (!ok) return;
    try {
      await api.del(`/v1/admin/policies/${encodeURIComponent(p.name)}`);
      await load();
    } catch (err) {
      if (err.status !== 401) mount(message, note('error', err.message));
    }
  };

  async function load() {
    let data;
    try {
      data = await api.get('/v1/admin/policies');
    } catch (err) {
      if (err.status === 404) {
        mount(list, note('empty', 'This server has no trust policies API.'));
        return;
      }
      throw err;
    }
    if (!isCurrent()) return;
    const policies = data.policies || [];
    mount(list, policies.length
      ? h('div', {class: 'table-wrap'}, h('table', {class: 'data', testid: 'policies-table'},
          h('thead', {}, h('tr', {}, ['Policy', 'Allowed devices', 'Allowed tags', 'Version', ''].map((x) => h('th', {}, x)))),
          h('tbody', {}, policies.map((p) => policyRow(p, {onEdit: openEditor, onDelete})))))
      : note('empty', 'No trust policies yet.'));
  }

  mount(el,
    h('div', {class: 'title-row'},
      h('h1', {}, 'Trust policies'),
      h('button', {type: 'button', class: 'button primary', testid: 'policy-new', onclick: () => openEditor(null)}, 'New policy')),
    h('p', {class: 'muted'}, 'A device may reach an endpoint when it is active and listed by ID or carries one of the tags.'),
    message, editor, h('section', {class: 'panel'}, list));
  await load();
}
