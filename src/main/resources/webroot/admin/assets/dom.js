// Small DOM helpers. Every string that reaches the page goes through textContent or a property,
// never innerHTML: a flag description or a notification title holding <script> stays text.

export const $ = (id) => document.getElementById(id);

/** h('td', {class: 'x', dataset: {id}, on: {click}}, 'text', child) — children: strings become text nodes. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'on') for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn);
    else if (key === 'attrs') for (const [a, v] of Object.entries(value)) el.setAttribute(a, String(v));
    else el[key] = value;
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function show(el, text) {
  el.textContent = text || '';
  el.hidden = !text;
}

/** "3 min ago", "in 2 h", "5 days ago". */
export function relative(iso, now = Date.now()) {
  if (!iso) return '—';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return 'just now';
  const [n, unit] = abs < 3600 ? [Math.round(abs / 60), 'min']
    : abs < 86400 ? [Math.round(abs / 3600), 'h'] : [Math.round(abs / 86400), abs < 172800 ? 'day' : 'days'];
  return seconds < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** A <time> element: local time as text, the ISO instant as its machine value and tooltip. */
export function time(iso, text) {
  return h('time', { dateTime: iso || '', title: iso || '', text: text || when(iso) });
}

/**
 * Runs an action while its button is disabled and, if it takes longer than a moment, shows a progress
 * indicator beside it (indeterminate: the server answers once). Resolves or rejects with the action.
 */
export async function busy(button, label, action) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  let indicator = null;
  const timer = setTimeout(() => {
    indicator = h('span', { class: 'progress', attrs: { role: 'status' } },
      h('progress', { attrs: { 'aria-label': label } }), ' ', label);
    button.insertAdjacentElement('afterend', indicator);
  }, 250);
  try {
    return await action();
  } finally {
    clearTimeout(timer);
    if (indicator) indicator.remove();
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** A modal confirmation (keyboard: Tab between the two buttons, Escape cancels). Resolves true or false. */
export function confirmAction(message, confirmLabel = 'Confirm', danger = false) {
  const dialog = $('confirm');
  $('confirm-text').textContent = message;
  const yes = $('confirm-yes');
  yes.textContent = confirmLabel;
  yes.className = danger ? 'danger' : 'primary';
  return new Promise((resolve) => {
    const done = (answer) => {
      yes.removeEventListener('click', onYes);
      $('confirm-no').removeEventListener('click', onNo);
      dialog.removeEventListener('cancel', onNo);
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    const onYes = () => done(true);
    const onNo = () => done(false);
    yes.addEventListener('click', onYes);
    $('confirm-no').addEventListener('click', onNo);
    dialog.addEventListener('cancel', onNo);
    dialog.showModal();
    $('confirm-no').focus();
  });
}

// ---- field errors --------------------------------------------------------

/** Removes every error shown in the form. */
export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((e) => e.remove());
  form.querySelectorAll('[aria-invalid]').forEach((e) => {
    e.removeAttribute('aria-invalid');
    const ids = (e.getAttribute('aria-describedby') || '').split(' ').filter((i) => !i.endsWith('-error'));
    if (ids.length) e.setAttribute('aria-describedby', ids.join(' '));
    else e.removeAttribute('aria-describedby');
  });
}

/**
 * Shows an API error next to the field its detail names (the element whose data-field is the longest prefix
 * of the field path, e.g. "conditions.brandIds[2]" → data-field="conditions.brandIds"), and moves the focus
 * there. Returns false when no field of the form matches, so the caller shows it for the whole form.
 */
export function showFieldError(form, field, message) {
  if (!field) return false;
  let best = null;
  for (const el of form.querySelectorAll('[data-field]')) {
    const name = el.dataset.field;
    const matches = field === name || field.startsWith(name + '.') || field.startsWith(name + '[');
    if (matches && (!best || name.length > best.dataset.field.length)) best = el;
  }
  if (!best || best.closest('[hidden]')) return false;
  const id = (best.id || best.dataset.field.replace(/\W/g, '-')) + '-error';
  const note = h('p', { class: 'field-error', id, text: message });
  // A whole group (a fieldset: the rules, the variants, a default variant) takes the note inside itself.
  (best.matches('fieldset') ? best : best.closest('.field') || best.parentElement).appendChild(note);
  best.setAttribute('aria-invalid', 'true');
  best.setAttribute('aria-describedby', ((best.getAttribute('aria-describedby') || '') + ' ' + id).trim());
  (best.matches('input, select, textarea') ? best : best.querySelector('input, select, textarea') || best).focus();
  return true;
}

/** Shows a failed call: next to its field when the detail names one of the form's fields, else in `fallback`. */
export function showError(form, fallback, error) {
  clearErrors(form);
  if (!showFieldError(form, error.field, error.message)) show(fallback, error.message);
  else show(fallback, '');
}

/** "one per line or comma separated" text → a list of non-empty trimmed strings. */
export function lines(text) {
  return text.split(/[\n,]/).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Random key text for Idempotency-Key (crypto.randomUUID needs a secure context; getRandomValues does not). */
export function randomKey(prefix) {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return prefix + '-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
