// Tiny DOM helpers. Everything that came from the server goes through text nodes or
// attributes set with setAttribute: nothing here ever parses a string as HTML.

// h('a', {href: '#/x', testid: 'nav-x', onclick: fn}, 'text', childNode, [more])
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

// Same for SVG elements (the overview chart).
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'testid') el.setAttribute('data-testid', value);
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'value' && 'value' in el) el.value = value;
    else if (key === 'checked') el.checked = Boolean(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Replaces the children of `el`.
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A status badge: <span class="badge badge-active">active</span>.
export function badge(text, testid) {
  const kind = String(text || 'unknown').replace(/[^a-z0-9_-]/gi, '');
  return h('span', {class: `badge badge-${kind}`, testid}, text || 'unknown');
}

// A table with a header row; `rows` are arrays of cells (nodes or text) or <tr> elements.
export function table(headers, rows, attrs = {}) {
  return h('table', attrs,
           h('thead', {}, h('tr', {}, headers.map((x) => (x instanceof Node ? x : h('th', {}, x))))),
           h('tbody', {}, rows.map((r) => (r instanceof Node ? r : h('tr', {}, r.map((c) => h('td', {}, c)))))));
}

// An inline message box ("info", "error", "empty").
export function note(kind, text, testid) {
  return h('p', {class: `note note-${kind}`, testid}, text);
}

// Shows a modal confirmation (an HTML <dialog>, never window.confirm). Resolves true when
// the user confirms. `body` may hold extra inputs the caller reads afterwards.
export function confirmDialog({title, message, confirmLabel = 'Confirm', danger = true, body}) {
  return new Promise((resolve) => {
    const dialog = h('dialog', {class: 'confirm', testid: 'confirm-dialog'});
    const finish = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    mount(dialog,
          h('h2', {}, title),
          h('p', {}, message),
          body || null,
          h('div', {class: 'actions'},
            h('button', {type: 'button', class: 'button', testid: 'cancel-button',
                         onclick: () => finish(false)}, 'Cancel'),
            h('button', {type: 'button', class: danger ? 'button danger' : 'button primary',
                         testid: 'confirm-button', onclick: () => finish(true)}, confirmLabel)));
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
