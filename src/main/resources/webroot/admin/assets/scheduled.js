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

function syncKind() {
  const kind = $('schedule-kind').value;
  $('schedule-rollout').closest('.field').hidden = kind !== 'rollout';
  $('schedule-patch').closest('.field').hidden = kind !== 'patch';
}

function patchOf(kind) {
  if (kind === 'on') return { enabled: true };
  if (kind === 'off') return { enabled: false };
  if (kind === 'rollout') {
    const text = $('schedule-rollout').value.trim();
    const n = /^-?\d+$/.test(text) ? Number(text) : text;
    // A rule flag has no flag-wide rollout: the new rollout is every rule's.
    if (Array.isArray(flag.rules) && flag.rules.length) {
      return { rules: flag.rules.map((r) => Object.assign({}, r, { rolloutPercentage: n })) };
    }
    return { rolloutPercentage: n };
  }
  try {
    return JSON.parse($('schedule-patch').value);
  } catch (e) {
    throw Object.assign(new Error('patch is not valid JSON'), { field: 'patch' });
  }
}

async function schedule(e) {
  e.preventDefault();
  const form = $('schedule-form');
  clearErrors(form);
  show($('schedule-error'), '');
  show($('schedule-result'), '');
  try {
    const local = $('schedule-at').value;
    const at = local ? new Date(local).toISOString() : null;
    const body = { patch: patchOf($('schedule-kind').value) };
    if (at) body.at = at;
    await busy($('schedule-run'), 'Scheduling', () =>
      api('POST', '/flags/' + encodeURIComponent(flag.id) + '/scheduled-changes', body));
    show($('schedule-result'), 'Scheduled: ' + describePatch(body.patch) + ' at ' + new Date(at).toLocaleString() + '.');
    await loadFlagChanges();
  } catch (err) {
    showError(form, $('schedule-error'), err);
  }
}

export const flagSchedule = {
  init() {
    $('schedule-kind').addEventListener('change', syncKind);
    $('schedule-form').addEventListener('submit', schedule);
    syncKind();
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
  },
  async show() {
    show($('scheduled-error'), '');
    await loadAll();
  }
};
