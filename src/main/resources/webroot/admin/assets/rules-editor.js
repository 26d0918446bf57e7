// The flag editor's part for the typed flag model (issue 14): the flag's type; simple targeting or ordered rules
// (constraints with every operator, segment references, rollout, group id, stickiness, rule variants); the flag's
// variants (name, value of the flag's type, weight, stickiness); its default variant; its dependencies.
// Plugged into flags.js with registerFlagEditor. Every control carries the API's field path, so an API error
// such as "rules[0].constraints[1].value must be a number" appears beside that control.

import { $, h, clear } from './dom.js';
import { get } from './api.js';
import { same } from './flag-model.js';
import { TYPES, flagState, modelJson, modelPatch, ruleState, variantState, dependencyState, overrideState }
  from './rules-model.js';
import { bound, small, idOf, constraintsPart, contextList } from './constraints-ui.js';

const P = 'f';                 // id prefix of this editor's controls
let state = flagState(null);
let initial = null;            // modelJson of the state the flag gave (null: a new flag)
let host = null;
let segmentNames = [];
let flagNames = () => [];

export function setFlagNames(fn) {
  flagNames = fn;
}

async function loadSegments() {
  try {
    segmentNames = (await get('/flags/segments')).data.map((s) => s.name).sort();
  } catch (e) {
    segmentNames = [];
  }
  document.querySelectorAll('#flag-extensions .segment-choices').forEach((box) => fillSegments(box));
}

function fillSegments(box) {
  const rule = state.rules[Number(box.dataset.rule)];
  if (!rule) return;
  clear(box);
  const names = [...new Set([...segmentNames, ...rule.segments])].sort();
  if (!names.length) box.appendChild(h('p', { class: 'hint', text: 'No segments yet (see Segments).' }));
  for (const name of names) {
    const box1 = h('input', { type: 'checkbox', value: name, checked: rule.segments.includes(name),
      on: { change: (e) => {
        if (e.target.checked) { if (!rule.segments.includes(name)) rule.segments.push(name); }
        else rule.segments.splice(rule.segments.indexOf(name), 1);
      } } });
    box.appendChild(h('label', {}, box1, ' ' + name));
  }
}

/** Rebuilds the part from the state and puts the focus on the control with this id (if given). */
function redraw(focusId) {
  if (!host) return;
  clear(host);
  host.appendChild(render());
  $('flag-targeting').hidden = state.usesRules;
  $('flag-rollout').closest('.field').hidden = state.usesRules;
  host.querySelectorAll('.segment-choices').forEach(fillSegments);
  if (focusId) {
    const el = document.getElementById(focusId);
    if (el) el.focus();
    host.dispatchEvent(new Event('input', { bubbles: true }));      // the form is now changed (dirty)
  }
}

function move(list, i, by) {
  const [item] = list.splice(i, 1);
  list.splice(i + by, 0, item);
  const at = idOf(P, 'rules[' + (i + by) + ']');
  redraw();
  host.dispatchEvent(new Event('input', { bubbles: true }));
  const again = document.getElementById(at + (by < 0 ? '-up' : '-down')) || document.getElementById(at + (by < 0 ? '-down' : '-up'));
  if (again) again.focus();
}

function withId(el, id) {
  el.id = id;
  return el;
}

function variantsPart(list, path, where) {
  const rows = list.map((v, i) => {
    const at = path + '[' + i + ']';
    const n = 'variant ' + (i + 1) + (where ? ' of ' + where : '');
    return h('div', { class: 'variant', dataset: { field: at }, attrs: { role: 'group', 'aria-label': n } },
      h('div', { class: 'row' },
        bound(P, at + '.name', 'Name', v, 'name'),
        bound(P, at + '.value', 'Value (' + state.type + ')', v, 'value', 'text',
          { placeholder: { boolean: 'true or false', number: '42', json: '{"k": 1}', string: 'text' }[state.type] }),
        bound(P, at + '.weight', 'Weight (0–1000)', v, 'weight', 'number', { min: 0, max: 1000 }),
        bound(P, at + '.stickiness', 'Stickiness', v, 'stickiness', 'text', { placeholder: 'default' })),
      ...v.overrides.map((o, j) => {
        const oat = at + '.overrides[' + j + ']';
        const on = 'override ' + (j + 1) + ' of ' + n;
        return h('div', { class: 'row override', attrs: { role: 'group', 'aria-label': on } },
          bound(P, oat + '.contextName', 'Override: context field', o, 'contextName', 'text', { list: contextList() }),
          bound(P, oat + '.values', 'Gets this variant when it is one of (one per line)', o, 'values', 'textarea'),
          h('div', { class: 'actions' }, small('Remove override', 'Remove ' + on, () => {
            v.overrides.splice(j, 1);
            redraw(idOf(P, at) + '-override');
          }, 'danger')));
      }),
      h('div', { class: 'actions' },
        withId(small('Add override', 'Add an override to ' + n, () => {
          v.overrides.push(overrideState());
          redraw(idOf(P, at + '.overrides[' + (v.overrides.length - 1) + '].contextName'));
        }), idOf(P, at) + '-override'),
        small('Remove', 'Remove ' + n, () => {
          list.splice(i, 1);
          redraw(idOf(P, path) + '-add');
        }, 'danger')));
  });
  return h('div', { class: 'variants', dataset: { field: path } },
    rows.length ? rows : h('p', { class: 'hint', text: where ? 'None: the flag\'s variants are used.' : 'No variants.' }),
    h('button', { type: 'button', class: 'small', id: idOf(P, path) + '-add', text: 'Add variant',
      attrs: { 'aria-label': 'Add a variant' + (where ? ' to ' + where : ' to the flag') },
      on: { click: () => {
        list.push(variantState({ weight: 1 }, state.type));
        redraw(idOf(P, path + '[' + (list.length - 1) + '].name'));
      } } }));
}

function rulePart(rule, i) {
  const at = 'rules[' + i + ']';
  const n = 'rule ' + (i + 1);
  const last = i === state.rules.length - 1;
  const segLabel = idOf(P, at + '.segments') + '-label';
  return h('fieldset', { class: 'rule', dataset: { field: at } },
    h('legend', { text: 'Rule ' + (i + 1) }),
    h('p', { class: 'label', text: 'Constraints (all must hold)' }),
    constraintsPart(P, rule.constraints, at + '.constraints', n, redraw),
    h('div', { class: 'field' },
      h('span', { class: 'label', id: segLabel, text: 'Segments (all their constraints must hold too)' }),
      h('div', { class: 'checks segment-choices', dataset: { rule: String(i), field: at + '.segments' },
        attrs: { role: 'group', 'aria-labelledby': segLabel } })),
    h('div', { class: 'row' },
      bound(P, at + '.rolloutPercentage', 'Rollout % (empty: 100)', rule, 'rolloutPercentage', 'number', { min: 0, max: 100 }),
      bound(P, at + '.groupId', 'Group id (empty: the flag name)', rule, 'groupId'),
      bound(P, at + '.stickiness', 'Stickiness (empty: default)', rule, 'stickiness')),
    h('p', { class: 'label', text: 'Variants of this rule' }),
    variantsPart(rule.variants, at + '.variants', n),
    h('div', { class: 'actions' },
      i > 0 ? withId(small('Move up', 'Move ' + n + ' up', () => move(state.rules, i, -1)), idOf(P, at) + '-up') : null,
      !last ? withId(small('Move down', 'Move ' + n + ' down', () => move(state.rules, i, 1)), idOf(P, at) + '-down') : null,
      small('Remove rule', 'Remove ' + n, () => {
        state.rules.splice(i, 1);
        redraw('f-rules-add');
      }, 'danger')));
}

function render() {
  const mode = h('select', { id: 'flag-mode' },
    h('option', { value: 'simple', text: 'Simple: roles, ids, custom conditions and a rollout' }),
    h('option', { value: 'rules', text: 'Rules, in order: the first that matches decides' }));
  mode.value = state.usesRules ? 'rules' : 'simple';
  mode.addEventListener('change', () => {
    state.usesRules = mode.value === 'rules';
    if (state.usesRules && !state.rules.length) state.rules.push(ruleState({}, state.type));
    redraw('flag-mode');
  });
  const type = bound(P, 'type', 'Type of the value', state, 'type', 'select',
    { choices: TYPES, onChange: () => redraw(idOf(P, 'type')) });
  // The type select keeps the id the field path gives; the label is in `type`.
  const rules = state.usesRules
    ? h('fieldset', { id: 'flag-rules', dataset: { field: 'rules' } },
      h('legend', { text: 'Rules (first match wins; no rules: on for everyone)' }),
      ...state.rules.map(rulePart),
      h('button', { type: 'button', id: 'f-rules-add', class: 'small', text: 'Add rule',
        on: { click: () => {
          state.rules.push(ruleState({}, state.type));
          redraw(idOf(P, 'rules[' + (state.rules.length - 1) + '].constraints') + '-add');
        } } }))
    : null;
  const deps = h('fieldset', { id: 'flag-dependencies', dataset: { field: 'dependencies' } },
    h('legend', { text: 'Dependencies (every parent must be satisfied)' }),
    ...state.dependencies.map((d, i) => {
      const at = 'dependencies[' + i + ']';
      const n = 'dependency ' + (i + 1);
      return h('div', { class: 'dependency', attrs: { role: 'group', 'aria-label': n } },
        h('div', { class: 'row' },
          bound(P, at + '.flag', 'Parent flag', d, 'flag', 'text', { list: 'flag-names' }),
          bound(P, at + '.variants', 'With one of these variants (comma separated, optional)', d, 'variants')),
        h('div', { class: 'checks' },
          bound(P, at + '.enabled', 'Parent must be on (unchecked: must be off)', d, 'enabled', 'checkbox'),
          small('Remove', 'Remove ' + n, () => {
            state.dependencies.splice(i, 1);
            redraw('f-dependencies-add');
          }, 'danger')));
    }),
    h('datalist', { id: 'flag-names' }, ...flagNames().map((name) => h('option', { value: name }))),
    h('button', { type: 'button', id: 'f-dependencies-add', class: 'small', text: 'Add dependency',
      on: { click: () => {
        state.dependencies.push(dependencyState());
        redraw(idOf(P, 'dependencies[' + (state.dependencies.length - 1) + '].flag'));
      } } }));
  return h('div', {},
    h('div', { class: 'row' }, type,
      h('div', { class: 'field' }, h('label', { htmlFor: 'flag-mode', text: 'Targeting' }), mode)),
    rules,
    h('fieldset', { id: 'flag-variants', dataset: { field: 'variants' } },
      h('legend', { text: 'Variants (chosen by weight for users a rule lets in)' }),
      variantsPart(state.variants, 'variants', null)),
    h('fieldset', { id: 'flag-default-variant', dataset: { field: 'defaultVariant' } },
      h('legend', { text: 'Default variant (served when the flag is off for someone)' }),
      h('div', { class: 'row' },
        bound(P, 'defaultVariant.name', 'Name', state, 'defaultName', 'text',
          { placeholder: state.type === 'boolean' ? 'off' : '' }),
        bound(P, 'defaultVariant.value', 'Value (' + state.type + ')', state, 'defaultValue', 'text',
          { placeholder: state.type === 'boolean' ? 'false' : '' })),
      h('p', { class: 'hint', text: state.type === 'boolean'
        ? 'Empty: {name "off", value false}.' : 'Required for a ' + state.type + ' flag.' })),
    deps);
}

export const rulesEditor = {
  fill(flag, container) {
    host = container;
    state = flagState(flag);
    initial = flag ? modelJson(flagState(flag)) : null;
    redraw();
    loadSegments();
  },

  /** The body to send: the simple part from flags.js plus what changed here. Throws InputError. */
  patch(flag, body) {
    const current = modelJson(state);
    const out = Object.assign({}, body, modelPatch(current, initial, same));
    if (state.usesRules) {
      delete out.conditions;              // a rule flag has no conditions and no flag-wide rollout
      delete out.rolloutPercentage;
    }
    return out;
  }
};
