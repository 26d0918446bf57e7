// Scheduled flag changes: per flag (in the flag editor: list, schedule and cancel) and overall (#/scheduled:
// every flag's changes, filtered by status, with cancel). A change is any flag PATCH body applied at a time:
// turn on, turn off, a new rollout, or any patch written as JSON.

import { $, h, clear, show, time, relative, busy, confirmAction, clearErrors, showError } from './dom.js';
import { api, get } from './api.js';

/** "turn on", "rollout 50 %", or the patch's JSON. */
export function describePatch(patch) {
  const keys = Object.keys(patch || {});
  if (keys.length === 1 && keys[0] === 'enabled') return patch.enabled ? 'turn on' : 'turn off';
  if (keys.length === 1 && keys[0] === 'rolloutPercentage') return 'rollout ' + patch.rolloutPercentage + ' %';
  if (keys.length === 1 && keys[0] === 'rules' && Array.isArray(patch.rules) && patch.rules.length
    && patch.rules.every((r) => r.rolloutPercentage === patch.rules[0].rolloutPercentage)) {
    return 'rollout ' + patch.rules[0].rolloutPercentage + ' % in every rule';
  }
  return JSON.stringify(patch);
}

function changeRow(c, withFlag, onCancel) {
  const cancel = c.status === 'pending'
    ? h('button', { type: 'button', class: 'danger small', text: 'Cancel',
      attrs: { 'aria-label': 'Cancel the change of ' + c.flagName + ' at ' + new Date(c.at).toLocaleString() } })
    : null;
  if (cancel) cancel.addEventListener('click', () => onCancel(c, cancel));
  return h('tr', { dataset: { id: c.id, status: c.status } },
    withFlag ? h('td', { attrs: { 'data-label': 'Flag' } },
      h('a', { href: '#/flags/' + encodeURIComponent(c.flagId), class: 'flag-name', text: c.flagName })) : null,
    h('td', { attrs: { 'data-label': 'At' } }, time(c.at), ' (', relative(c.at), ')'),
    h('td', { attrs: { 'data-label': 'Change' }, class: 'change', text: describePatch(c.patch) }),
    h('td', { attrs: { 'data-label': 'Status' } }, h('span', { class: 'status ' + c.status, text: c.status }),
      c.error ? h('p', { class: 'error', text: c.error }) : null),
    h('td', { attrs: { 'data-label': 'By' }, text: c.cancelledBy ? c.scheduledBy + ' (cancelled by ' + c.cancelledBy + ')' : c.scheduledBy }),
    h('td', { attrs: { 'data-label': 'Actions' } }, cancel));
}

async function cancelChange(c, button, after) {
  if (!(await confirmAction('Cancel the scheduled change of "' + c.flagName + '" (' + describePatch(c.patch) + ')?',
    'Cancel change', true))) return;
  try {
    await busy(button, 'Cancelling', () => api('DELETE', '/flags/scheduled-changes/' + encodeURIComponent(c.id)));
  } catch (e) {
    $('live').textContent = 'Could not cancel: ' + e.message;
  }
  await after();
}

function table(id, withFlag, changes, onCancel, empty) {
  const head = [withFlag ? 'Flag' : null, 'At', 'Change', 'Status', 'By', 'Actions'].filter(Boolean);
  return h('div', { class: 'table-wrap' }, h('table', { class: 'list', id },
    h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' },
      t === 'Actions' ? h('span', { class: 'sr-only', text: t }) : t)))),
    h('tbody', {}, changes.length ? changes.map((c) => changeRow(c, withFlag, onCancel))
      : h('tr', {}, h('td', { colSpan: head.length, class: 'hint', text: empty })))));
}

// ---- per flag, in the editor ---------------------------------------------------------

let flag = null;
let seq = 0;

async function loadFlagChanges() {
  if (!flag) return;
  const mine = ++seq;
  let changes;
  try {
    changes = (await get('/flags/' + encodeURIComponent(flag.id) + '/scheduled-changes')).data;
  } catch (e) {
    if (mine === seq) show($('schedule-error'), 'Scheduled changes unavailable: ' + e.message);
    return;
  }
  if (mine !== seq) return;
  changes.sort((a, b) => (a.at < b.at ? -1 : 1));
  clear($('schedule-list')).appendChild(table('schedule-table', false, changes,
    (c, b) => cancelChange(c, b, loadFlagChanges), 'Nothing scheduled.'));
}

// The schedule form exists twice: in the flag editor (ids "schedule-…", the flag being edited) and on the
// overall page (ids "all-schedule-…", with a flag chosen in the form). `p` is the id prefix.
const el = (p, name) => $(p + '-' + name);

function syncKind(p) {
  const kind = el(p, 'kind').value;
  el(p, 'rollout').closest('.field').hidden = kind !== 'rollout';
  el(p, 'patch').closest('.field').hidden = kind !== 'patch';
}

function patchOf(p, target) {
  const kind = el(p, 'kind').value;
  if (kind === 'on') return { enabled: true };
  if (kind === 'off') return { enabled: false };
  if (kind === 'rollout') {
    const text = el(p, 'rollout').value.trim();
    const n = /^-?\d+$/.test(text) ? Number(text) : text;
    // A rule flag has no flag-wide rollout: the new rollout is every rule's.
    if (Array.isArray(target.rules) && target.rules.length) {
      return { rules: target.rules.map((r) => Object.assign({}, r, { rolloutPercentage: n })) };
    }
    return { rolloutPercentage: n };
  }
  try {
    return JSON.parse(el(p, 'patch').value);
  } catch (e) {
    throw Object.assign(new Error('patch is not valid JSON'), { field: 'patch' });
  }
}

async function schedule(p, target, after) {
  const form = el(p, 'form');
  clearErrors(form);
  show(el(p, 'error'), '');
  show(el(p, 'result'), '');
  try {
    if (!target) throw Object.assign(new Error('flag: choose the flag to change'), { field: 'flag' });
    const local = el(p, 'at').value;
    const at = local ? new Date(local).toISOString() : null;
    const body = { patch: patchOf(p, target) };
    if (at) body.at = at;
    await busy(el(p, 'run'), 'Scheduling', () =>
      api('POST', '/flags/' + encodeURIComponent(target.id) + '/scheduled-changes', body));
    show(el(p, 'result'), 'Scheduled for ' + target.name + ': ' + describePatch(body.patch) + ' at '
      + new Date(at).toLocaleString() + '.');
    await after();
  } catch (err) {
    showError(form, el(p, 'error'), err);
  }
}

export const flagSchedule = {
  init() {
    $('schedule-kind').addEventListener('change', () => syncKind('schedule'));
    $('schedule-form').addEventListener('submit', (e) => {
      e.preventDefault();
      schedule('schedule', flag, loadFlagChanges);
    });
    syncKind('schedule');
  },
  show(f) {
    flag = f;
    clearErrors($('schedule-form'));
    show($('schedule-error'), '');
    show($('schedule-result'), '');
    $('flag-schedule').hidden = !f;
    if (f) loadFlagChanges();
  },
  reload: () => loadFlagChanges()
};

// ---- every flag: #/scheduled -------------------------------------------------------------

let allFlags = [];

async function loadFlags() {
  allFlags = (await get('/flags')).data.sort((a, b) => (a.name < b.name ? -1 : 1));
  const select = $('all-schedule-flag');
  const chosen = select.value;
  clear(select).appendChild(h('option', { value: '', text: 'Choose a flag' }));
  for (const f of allFlags) select.appendChild(h('option', { value: f.id, text: f.name }));
  select.value = allFlags.some((f) => f.id === chosen) ? chosen : '';
}

async function loadAll() {
  const status = $('scheduled-status').value;
  const changes = (await get('/flags/scheduled-changes' + (status ? '?status=' + encodeURIComponent(status) : ''))).data;
  changes.sort((a, b) => (a.at < b.at ? -1 : 1));
  clear($('scheduled-list')).appendChild(table('scheduled-table', true, changes,
    (c, b) => cancelChange(c, b, loadAll), status ? 'No ' + status + ' changes.' : 'Nothing scheduled.'));
  $('scheduled-count').textContent = changes.length + (changes.length === 1 ? ' change' : ' changes');
}

export const scheduledView = {
  init() {
    $('scheduled-status').addEventListener('change', () => loadAll().catch((e) => show($('scheduled-error'), e.message)));
    $('scheduled-refresh').addEventListener('click', () => loadAll().catch((e) => show($('scheduled-error'), e.message)));
    $('all-schedule-kind').addEventListener('change', () => syncKind('all-schedule'));
    $('all-schedule-form').addEventListener('submit', (e) => {
      e.preventDefault();
      schedule('all-schedule', allFlags.find((f) => f.id === $('all-schedule-flag').value), loadAll);
    });
    syncKind('all-schedule');
  },
  async show() {
    show($('scheduled-error'), '');
    await Promise.all([loadAll(), loadFlags()]);
  }
};
