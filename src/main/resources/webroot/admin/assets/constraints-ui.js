// Form parts shared by the rule editor and the segment editor: labelled controls bound to a state object, each
// carrying the API's field path as data-field (e.g. rules[0].constraints[1].operator), so an API error is shown
// beside the control it names. Structural changes (add, remove, move) call `redraw`, which rebuilds the part
// and puts the focus back on a control by id.

import { h } from './dom.js';
import { OPERATORS, CONTEXT_FIELDS, singleValue, constraintState } from './rules-model.js';

/** An element id from a prefix and a field path: "f", "rules[0].constraints[1].value" → "f-rules-0-constraints-1-value". */
export function idOf(prefix, path) {
  return prefix + '-' + path.replace(/[[\].]+/g, '-').replace(/-+$/, '');
}

/** A labelled input bound to state[key]. `kind`: 'text' | 'number' | 'textarea' | 'checkbox' | 'select'. */
export function bound(prefix, path, label, state, key, kind = 'text', options = {}) {
  const id = idOf(prefix, path);
  let control;
  if (kind === 'textarea') {
    control = h('textarea', { id, rows: options.rows || 2, spellcheck: false, value: state[key] });
  } else if (kind === 'select') {
    control = h('select', { id }, ...options.choices.map((c) => h('option', { value: c, text: c })));
    control.value = state[key];
  } else if (kind === 'checkbox') {
    control = h('input', { id, type: 'checkbox', checked: !!state[key] });
  } else {
    control = h('input', { id, type: kind === 'number' ? 'number' : 'text', autocomplete: 'off', spellcheck: false,
      value: state[key] });
    if (kind === 'number') {
      control.inputMode = 'numeric';
      if (options.min !== undefined) control.min = options.min;
      if (options.max !== undefined) control.max = options.max;
      control.step = '1';
      control.className = 'short';
    }
    if (options.list) control.setAttribute('list', options.list);
    if (options.placeholder) control.placeholder = options.placeholder;
  }
  control.dataset.field = path;
  const read = () => { state[key] = kind === 'checkbox' ? control.checked : control.value; };
  control.addEventListener(kind === 'checkbox' || kind === 'select' ? 'change' : 'input', () => {
    read();
    if (options.onChange) options.onChange(control);
  });
  const labelEl = h('label', { htmlFor: id, text: label });
  if (kind === 'checkbox') return h('div', { class: 'field inline' }, control, labelEl);
  return h('div', { class: 'field' + (options.wide ? ' wide' : '') }, labelEl, control,
    options.hint ? h('p', { class: 'hint', text: options.hint }) : null);
}

/** A small button: text for sighted users, a full aria-label saying what it acts on. */
export function small(text, label, onClick, cls = '') {
  return h('button', { type: 'button', class: 'small ' + cls, text, attrs: { 'aria-label': label }, on: { click: onClick } });
}

/** The datalist of context field names the evaluator knows, once per page. */
export function contextList() {
  if (!document.getElementById('context-fields')) {
    document.body.appendChild(h('datalist', { id: 'context-fields' },
      ...CONTEXT_FIELDS.map((f) => h('option', { value: f }))));
  }
  return 'context-fields';
}

/**
 * The constraints of a rule or a segment: one row per constraint (context field, operator, values or value,
 * inverted, case-insensitive), add and remove. `list` is the state array; `path` its field path ("constraints",
 * "rules[0].constraints"); `where` says whose constraints they are, for the buttons' labels.
 */
export function constraintsPart(prefix, list, path, where, redraw) {
  const rows = list.map((c, i) => {
    const at = path + '[' + i + ']';
    const n = 'constraint ' + (i + 1) + (where ? ' of ' + where : '');
    let valuesField;
    let valueField;
    const sync = () => {
      const single = singleValue(c.operator);
      valuesField.hidden = single;
      valueField.hidden = !single;
    };
    valuesField = bound(prefix, at + '.values', 'Values (one per line, any of them)', c, 'values', 'textarea');
    valueField = bound(prefix, at + '.value', 'Value', c, 'value', 'text',
      { hint: 'A number, an ISO-8601 date-time or a semantic version, as the operator reads it.' });
    const row = h('div', { class: 'constraint', dataset: { field: at }, attrs: { role: 'group', 'aria-label': n } },
      h('div', { class: 'row' },
        bound(prefix, at + '.contextName', 'Context field', c, 'contextName', 'text',
          { list: contextList(), placeholder: 'userId, role, plan…' }),
        bound(prefix, at + '.operator', 'Operator', c, 'operator', 'select', { choices: OPERATORS, onChange: sync })),
      valuesField, valueField,
      h('div', { class: 'checks' },
        bound(prefix, at + '.inverted', 'Inverted (NOT)', c, 'inverted', 'checkbox'),
        bound(prefix, at + '.caseInsensitive', 'Ignore case', c, 'caseInsensitive', 'checkbox'),
        small('Remove', 'Remove ' + n, () => {
          list.splice(i, 1);
          redraw(idOf(prefix, path) + '-add');
        }, 'danger')));
    sync();
    return row;
  });
  return h('div', { class: 'constraints', id: idOf(prefix, path), dataset: { field: path } },
    rows.length ? rows : h('p', { class: 'hint', text: 'No constraints: everyone matches.' }),
    h('button', { type: 'button', id: idOf(prefix, path) + '-add', class: 'small',
      text: 'Add constraint', attrs: { 'aria-label': 'Add a constraint' + (where ? ' to ' + where : '') },
      on: { click: () => {
        list.push(constraintState());
        redraw(idOf(prefix, path + '[' + (list.length - 1) + '].contextName'));
      } } }));
}
