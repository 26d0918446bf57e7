// Flags: the list (search, on/off and stale filters, kill switches behind a confirmation), the editor
// (simple targeting, or the typed model's rules, variants and dependencies from rules-editor.js; validation errors
// beside the field the API names), "who sees this", scheduled changes, and the audit with a diff per change.
// The list follows every other admin's changes live: the bridge's flags.changed makes it reload.

import { $, h, clear, show, relative, time, busy, confirmAction, clearErrors, showError } from './dom.js';
import { api, get } from './api.js';
import { session } from './session.js';
import { ROLES, toForm, bodyOf, filter, targetingSummary } from './flag-model.js';
import { renderAudit } from './audit-view.js';
import { capabilities, detect, evaluate } from './evaluation.js';
import { rulesEditor, setFlagNames } from './rules-editor.js';
import { rulesSummary } from './rules-model.js';
import { flagSchedule } from './scheduled.js';

let flags = [];
let editing = null;       // the flag in the editor as last loaded (null: a new flag)
let editorOpen = false;
let dirty = false;
let showSeq = 0;

// Editors for further parts of a flag plug in here: fill(flag, container) shows them, patch(flag, body) returns
// the body to send with their members (it may throw an error with a `field`, shown beside that field).
const extensions = [];
export function registerFlagEditor(editor) {
  extensions.push(editor);
}
registerFlagEditor(rulesEditor);
setFlagNames(() => flags.map((f) => f.name));

// ---- list ------------------------------------------------------------------

function filters() {
  return { text: $('flag-search').value, state: $('flag-state').value, staleDays: $('flag-stale').value };
}

function renderList(changed = []) {
  const shown = filter(flags, filters());
  // Live updates redraw the rows: keep the keyboard focus on the same control of the same flag.
  const active = document.activeElement;
  const focusedRow = active && active.closest ? active.closest('#flag-table tr[data-name]') : null;
  const refocus = focusedRow ? [focusedRow.dataset.name, active.tagName.toLowerCase() + '.' + active.classList[0]] : null;
  const body = clear($('flag-table').tBodies[0]);
  for (const f of shown) {
    const switchButton = h('button', {
      type: 'button',
      class: 'switch ' + (f.enabled ? 'on' : 'off'),
      text: f.enabled ? 'On' : 'Off',
      attrs: { 'aria-pressed': f.enabled, 'aria-label': 'Kill switch of ' + f.name + ': ' + (f.enabled ? 'on' : 'off') },
      on: { click: () => toggle(f) }
    });
    const row = h('tr', { dataset: { name: f.name, id: f.id }, class: changed.includes(f.name) ? 'changed' : '' },
      h('td', { attrs: { 'data-label': 'Flag' } },
        h('a', { href: '#/flags/' + encodeURIComponent(f.id), class: 'flag-name', text: f.name }),
        f.description ? h('p', { class: 'description', text: f.description }) : null),
      h('td', { class: 'state', attrs: { 'data-label': 'State' } }, switchButton),
      h('td', { class: 'rollout', attrs: { 'data-label': 'Rollout' },
        text: Array.isArray(f.rules) ? 'by rule' : f.rolloutPercentage + ' %' }),
      h('td', { attrs: { 'data-label': 'Targeting' },
        text: [Array.isArray(f.rules) ? null : targetingSummary(f), rulesSummary(f) || null].filter(Boolean).join(' · ') }),
      h('td', { attrs: { 'data-label': 'Last change' } },
        time(f.updatedAt, relative(f.updatedAt)), ' by ', h('span', { text: f.updatedBy || f.createdBy || '—' })));
    body.appendChild(row);
  }
  if (refocus) {
    const again = body.querySelector('tr[data-name="' + CSS.escape(refocus[0]) + '"] ' + refocus[1]);
    if (again) again.focus();
  }
  $('flag-count').textContent = shown.length === flags.length
    ? flags.length + (flags.length === 1 ? ' flag' : ' flags')
    : shown.length + ' of ' + flags.length + ' flags match';
}

async function load(changed = []) {
  const body = await get('/flags');
  flags = body.data;
  renderList(changed);
  if (editorOpen && editing) {
    const fresh = flags.find((f) => f.id === editing.id);
    if (!fresh) {
      show($('flag-editor-notice'), 'This flag was deleted by another admin.');
    } else if (fresh.updatedAt !== editing.updatedAt) {
      loadAudit(fresh.id);
      flagSchedule.show(fresh);
      if (dirty) {
        show($('flag-editor-notice'), 'Changed by ' + (fresh.updatedBy || 'another admin')
          + ' meanwhile: saving sends only the fields you changed.');
      } else {
        fill(fresh);
        show($('flag-editor-notice'), 'Updated by ' + (fresh.updatedBy || 'another admin') + ' just now.');
      }
    }
  }
}

async function toggle(flag) {
  const next = !flag.enabled;
  const question = next
    ? 'Turn "' + flag.name + '" on? Users matching its ' + (Array.isArray(flag.rules) ? 'rules' : 'targeting (rollout '
      + flag.rolloutPercentage + ' %)') + ' get it within a second.'
    : 'Turn "' + flag.name + '" off? Everyone stops getting it within a second.';
  if (!(await confirmAction(question, next ? 'Turn on' : 'Turn off', !next))) return;
  const row = $('flag-table').querySelector('tr[data-id="' + CSS.escape(flag.id) + '"]');
  const button = row ? row.querySelector('button.switch') : null;
  try {
    const run = () => api('PATCH', '/flags/' + encodeURIComponent(flag.id), { enabled: next });
    const { body } = button ? await busy(button, 'Saving', run) : await run();
    replace(body.data);
  } catch (e) {
    alertLive('Could not change ' + flag.name + ': ' + e.message);
  }
}

function replace(flag) {
  const i = flags.findIndex((f) => f.id === flag.id);
  if (i >= 0) flags[i] = flag; else flags.push(flag);
  flags.sort((a, b) => (a.name < b.name ? -1 : 1));
  renderList();
  if (editorOpen && editing && editing.id === flag.id) {
    if (!dirty) fill(flag);
    loadAudit(flag.id);
    flagSchedule.reload();
  }
}

function alertLive(text) {
  $('live').textContent = text;
}

// ---- editor ----------------------------------------------------------------

function roleBoxes() {
  const box = clear($('flag-roles'));
  for (const role of ROLES) {
    box.appendChild(h('label', {}, h('input', { type: 'checkbox', value: role, name: 'flag-role' }), ' ' + role));
  }
}

function fill(flag) {
  editing = flag;
  dirty = false;
  const v = toForm(flag);
  $('flag-name').value = v.name;
  $('flag-description').value = v.description;
  $('flag-enabled').checked = v.enabled;
  $('flag-rollout').value = v.rolloutPercentage;
  $('flag-roles').querySelectorAll('input').forEach((b) => { b.checked = v.userRoles.includes(b.value); });
  $('flag-brands').value = v.brandIds;
  $('flag-creators').value = v.creatorIds;
  $('flag-users').value = v.userIds;
  $('flag-custom').value = v.customConditions;
  extensions.forEach((x) => x.fill(flag, $('flag-extensions')));
}

function values() {
  return {
    name: $('flag-name').value,
    description: $('flag-description').value,
    enabled: $('flag-enabled').checked,
    rolloutPercentage: $('flag-rollout').value,
    userRoles: [...$('flag-roles').querySelectorAll('input:checked')].map((b) => b.value),
    brandIds: $('flag-brands').value,
    creatorIds: $('flag-creators').value,
    userIds: $('flag-users').value,
    customConditions: $('flag-custom').value
  };
}

async function openEditor(id) {
  editorOpen = true;
  const form = $('flag-form');
  clearErrors(form);
  show($('flag-form-error'), '');
  show($('flag-editor-notice'), '');
  show($('preview-error'), '');
  $('preview-result').hidden = true;
  $('flag-editor').hidden = false;
  if (id === 'new') {
    fill(null);
    $('flag-editor-title').textContent = 'New flag';
    $('flag-delete').hidden = true;
    $('flag-preview').hidden = true;
    $('flag-audit').hidden = true;
    flagSchedule.show(null);
    $('flag-name').focus();
    return;
  }
  let flag = flags.find((f) => f.id === id);
  if (!flag) {
    await load();
    flag = flags.find((f) => f.id === id);
  }
  if (!flag) {
    show($('flag-editor-notice'), 'No flag with id ' + id + '.');
    return;
  }
  fill(flag);
  $('flag-editor-title').textContent = 'Edit ' + flag.name;
  $('flag-delete').hidden = false;
  $('flag-preview').hidden = false;
  $('flag-audit').hidden = false;
  flagSchedule.show(flag);
  await detect();
  setUpPreviewSubject();
  loadAudit(flag.id);
  $('flag-editor').scrollIntoView({ block: 'start' });
}

function closeEditor() {
  editorOpen = false;
  editing = null;
  $('flag-editor').hidden = true;
  if (location.hash.startsWith('#/flags/')) history.replaceState(null, '', '#/flags');
}

async function save(e) {
  e.preventDefault();
  const form = $('flag-form');
  clearErrors(form);
  show($('flag-form-error'), '');
  show($('flag-editor-notice'), '');
  let body = bodyOf(values(), editing);
  try {
    for (const x of extensions) body = x.patch(editing, body);
  } catch (err) {
    showError(form, $('flag-form-error'), err);
    return;
  }
  if (editing && Object.keys(body).length === 0) {
    show($('flag-editor-notice'), 'Nothing changed.');
    return;
  }
  const created = !editing;
  try {
    const { body: answer } = await busy($('flag-save'), 'Saving', () => created
      ? api('POST', '/flags', body)
      : api('PATCH', '/flags/' + encodeURIComponent(editing.id), body));
    const saved = answer.data;
    replace(saved);
    if (created) {
      // The new flag's own page: its history and preview appear.
      history.replaceState(null, '', '#/flags/' + encodeURIComponent(saved.id));
      await openEditor(saved.id);
    } else {
      fill(saved);
      loadAudit(saved.id);
    }
    show($('flag-editor-notice'), created ? 'Created.' : 'Saved.');
  } catch (err) {
    showError(form, $('flag-form-error'), err);
  }
}

async function remove() {
  if (!editing) return;
  const flag = editing;
  if (!(await confirmAction('Delete "' + flag.name + '"? Callers get false for it at once; its history stays.',
    'Delete', true))) return;
  try {
    await busy($('flag-delete'), 'Deleting', () => api('DELETE', '/flags/' + encodeURIComponent(flag.id)));
    flags = flags.filter((f) => f.id !== flag.id);
    closeEditor();
    renderList();
  } catch (err) {
    show($('flag-form-error'), err.message);
  }
}

// ---- audit -----------------------------------------------------------------

let auditSeq = 0;

async function loadAudit(id) {
  const seq = ++auditSeq;
  let entries;
  try {
    entries = (await get('/flags/' + encodeURIComponent(id) + '/audit')).data;
  } catch (e) {
    if (seq === auditSeq) clear($('audit-list')).appendChild(h('li', { class: 'error', text: 'History unavailable: ' + e.message }));
    return;
  }
  if (seq !== auditSeq) return;           // a newer load is on its way: only the last one is shown
  renderAudit($('audit-list'), entries);
}

// ---- who sees this ---------------------------------------------------------

function setUpPreviewSubject() {
  const fixed = !capabilities.arbitraryContext;
  for (const id of ['preview-user', 'preview-role', 'preview-brand', 'preview-creator']) $(id).disabled = fixed;
  const me = session.me();
  if (fixed && me) {
    $('preview-user').value = me.sub;
    $('preview-role').value = me.role;
    $('preview-brand').value = me.brandId || '';
    $('preview-creator').value = me.creatorId || '';
  }
  $('preview-scope').textContent = fixed
    ? 'Evaluated by the evaluation API for your own token (user, role, brand and creator are the token\'s), plus '
      + 'the attributes you give: this node has no evaluation API for arbitrary contexts.'
    : 'Evaluated by the evaluation API (POST /api/v1/flags/evaluations) for exactly this context; attributes are '
      + 'the context\'s custom properties.';
}

function parseAttributes(text) {
  const out = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const at = line.indexOf('=');
    if (at > 0) out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

async function runPreview(e) {
  e.preventDefault();
  if (!editing) return;
  show($('preview-error'), '');
  try {
    const result = await busy($('preview-run'), 'Evaluating', () => evaluate(editing.name, {
      userId: $('preview-user').value,
      role: $('preview-role').value,
      brandId: $('preview-brand').value || null,
      creatorId: $('preview-creator').value || null,
      attributes: parseAttributes($('preview-attributes').value)
    }));
    $('preview-value').textContent = result.value !== null && typeof result.value === 'object'
      ? JSON.stringify(result.value) : String(result.value);
    $('preview-variant').textContent = result.variant !== null ? result.variant
      : capabilities.arbitraryContext ? '—' : '— (not given by this API)';
    $('preview-reason').textContent = result.reason === null ? '— (not given by this API)'
      : result.reason + (result.errorCode ? ' (' + result.errorCode + ')' : '');
    $('preview-result').hidden = false;
  } catch (err) {
    show($('preview-error'), err.message);
  }
}

// ---- wiring ----------------------------------------------------------------

export const flagsView = {
  init() {
    roleBoxes();
    for (const id of ['flag-search', 'flag-state', 'flag-stale']) {
      $(id).addEventListener('input', () => renderList());
      $(id).addEventListener('change', () => renderList());
    }
    $('flag-filters').addEventListener('submit', (e) => e.preventDefault());
    $('flag-new').addEventListener('click', () => { location.hash = '#/flags/new'; });
    $('flag-editor-close').addEventListener('click', closeEditor);
    $('flag-form').addEventListener('input', () => { dirty = true; });
    $('flag-form').addEventListener('submit', save);
    $('flag-delete').addEventListener('click', remove);
    $('preview-form').addEventListener('submit', runPreview);
    flagSchedule.init();
  },

  async show(param) {
    const seq = ++showSeq;
    await load();
    if (seq !== showSeq) return;          // another route came meanwhile: it decides what is open
    if (param) await openEditor(param);
    else if (editorOpen) closeEditor();
  },

  /** Another admin (or this one, in another tab) changed these flags: reload the list and mark them. */
  changed(names) {
    load(names).then(() => alertLive('Changed just now: ' + names.join(', ')));
  },

  reload() {
    return load();
  }
};
