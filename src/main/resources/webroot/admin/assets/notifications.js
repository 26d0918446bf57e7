// The composer: recipients (one user, a list, a role), content, a live preview as the bell shows it, the
// recipient count before sending, and a send that happens once. Each draft gets one Idempotency-Key, kept
// until the draft changes: a double click, or pressing Send again after a lost answer, replays the first
// send instead of sending again. Below it, the send log.

import { $, h, clear, show, relative, time, busy, clearErrors, showError, showFieldError, lines, randomKey } from './dom.js';
import { api, get, ApiError } from './api.js';
import { bellPreview } from './bell-view.js';

let render = null;
let key = null;          // the Idempotency-Key of the current draft
let sending = false;
let countTimer = null;
let countSeq = 0;
let recipientCount = null;
let sentPage = 1;

const SENT_PAGE_SIZE = 10;
const RECIPIENT_FIELDS = ['compose-user', 'compose-users', 'compose-role'];

function mode() {
  return document.querySelector('input[name="to"]:checked').value;
}

function recipients() {
  const m = mode();
  if (m === 'user') return { userId: $('compose-user').value.trim() };
  if (m === 'users') return { userIds: lines($('compose-users').value) };
  return { userRole: $('compose-role').value };
}

/** The request body of the draft; a metadata text that is not a JSON object is reported on its field. */
function draft() {
  const body = Object.assign(recipients(), {
    type: $('compose-type').value,
    priority: $('compose-priority').value,
    title: $('compose-title-input').value,
    message: $('compose-message').value
  });
  const url = $('compose-url').value.trim();
  if (url) body.actionUrl = url;
  const meta = $('compose-metadata').value.trim();
  if (meta) {
    let parsed;
    try { parsed = JSON.parse(meta); } catch (e) { parsed = undefined; }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ApiError(400, { detail: 'metadata must be a JSON object, e.g. {"ticket": 42}' });
    }
    body.metadata = parsed;
  }
  return body;
}

function showMode() {
  const m = mode();
  document.querySelectorAll('#compose-form [data-to]').forEach((el) => { el.hidden = el.dataset.to !== m; });
}

function updatePreview() {
  render({
    title: $('compose-title-input').value || 'Title',
    message: $('compose-message').value || 'Message',
    type: $('compose-type').value,
    priority: $('compose-priority').value,
    actionUrl: $('compose-url').value.trim() || null,
    read: false,
    createdAt: new Date().toISOString()
  });
}

function setCount(text, n) {
  recipientCount = n;
  $('compose-count').textContent = text;
  $('compose-send').textContent = n === null || n === undefined ? 'Send' : 'Send to ' + n + (n === 1 ? ' user' : ' users');
}

/** Asks the API how many users the recipients reach (the same resolution the send uses). */
function scheduleCount() {
  clearTimeout(countTimer);
  const seq = ++countSeq;
  const r = recipients();
  if ((r.userId !== undefined && !r.userId) || (r.userIds && r.userIds.length === 0)) {
    setCount('', null);
    return;
  }
  $('compose-count').textContent = 'Counting recipients…';
  countTimer = setTimeout(async () => {
    try {
      const { body } = await api('POST', '/notifications/recipients', r);
      if (seq !== countSeq) return;
      const c = body.data;
      const unknown = c.unknownUserIds.length
        ? ' Not in the directory (sending is refused until they are): ' + c.unknownUserIds.slice(0, 20).join(', ')
          + (c.unknownUserIds.length > 20 ? ' and ' + (c.unknownUserIds.length - 20) + ' more' : '') + '.'
        : '';
      setCount('Reaches ' + c.count + (c.count === 1 ? ' user.' : ' users.') + unknown, c.count);
    } catch (e) {
      if (seq === countSeq) setCount('Recipients: ' + e.message, null);
    }
  }, 300);
}

function draftChanged() {
  key = null;            // another message: a new send
  show($('compose-result'), '');
  updatePreview();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function send(e) {
  e.preventDefault();
  if (sending) return;                      // a second click while the first is on its way does nothing
  const form = $('compose-form');
  clearErrors(form);
  show($('compose-error'), '');
  let body;
  try {
    body = draft();
  } catch (err) {
    showError(form, $('compose-error'), err);
    return;
  }
  key = key || randomKey('compose');
  sending = true;
  const label = recipientCount === null ? 'Sending…' : 'Sending to ' + recipientCount + ' users…';
  try {
    const result = await busy($('compose-send'), label, async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await api('POST', '/notifications', body, { idempotencyKey: key });
        } catch (err) {
          // The first send with this key is still running (e.g. a retry after a lost answer): wait for its result.
          if (err.code === 'IDEMPOTENCY_IN_PROGRESS' && attempt < 60) { await sleep(500); continue; }
          throw err;
        }
      }
    });
    const n = result.body.data.created;
    show($('compose-result'), result.replayed
      ? 'Already sent to ' + n + (n === 1 ? ' user' : ' users') + ': this message went out once and was not sent again.'
      : 'Sent to ' + n + (n === 1 ? ' user.' : ' users.'));
    loadSent(1);
  } catch (err) {
    if (err instanceof ApiError) {
      if (!showFieldError(form, err.field, err.message)) show($('compose-error'), err.message);
    } else {
      // No answer (network): the send may or may not have happened; the same key makes a retry safe.
      show($('compose-error'), 'No answer from the service (' + err.message + '). Press Send again: '
        + 'this message will not be sent twice.');
    }
  } finally {
    sending = false;
  }
}

function reset() {
  $('compose-form').reset();
  clearErrors($('compose-form'));
  show($('compose-error'), '');
  showMode();
  draftChanged();
  scheduleCount();
}

function describeRecipients(r) {
  if (r.userRole) return 'role ' + r.userRole;
  const ids = r.userIds || [];
  return ids.slice(0, 3).join(', ') + (r.listed > 3 ? ' and ' + (r.listed - 3) + ' more' : '');
}

let sentSeq = 0;

async function loadSent(page) {
  sentPage = page;
  const seq = ++sentSeq;
  const body = await get('/notifications/sent?page=' + page + '&pageSize=' + SENT_PAGE_SIZE);
  if (seq !== sentSeq) return;            // a newer load is on its way
  const rows = clear($('sent-table').tBodies[0]);
  for (const s of body.data) {
    rows.appendChild(h('tr', { dataset: { id: s.id } },
      h('td', { attrs: { 'data-label': 'Sent' } }, time(s.sentAt, relative(s.sentAt))),
      h('td', { attrs: { 'data-label': 'By' }, text: s.sentBy }),
      h('td', { attrs: { 'data-label': 'To' }, text: describeRecipients(s.recipients) }),
      h('td', { attrs: { 'data-label': 'Created' }, class: 'created', text: String(s.created) }),
      h('td', { attrs: { 'data-label': 'Type' }, text: s.type + ' · ' + s.priority }),
      h('td', { attrs: { 'data-label': 'Title' }, class: 'title', text: s.title })));
  }
  if (!body.data.length) rows.appendChild(h('tr', {}, h('td', { colSpan: 6, class: 'hint', text: 'Nothing sent yet.' })));
  pager($('sent-pager'), body.meta.pagination, loadSent);
}

/** Previous / next buttons and "page x of y". */
export function pager(host, p, go) {
  clear(host);
  const pages = Math.max(1, p.totalPages);
  host.appendChild(h('button', { type: 'button', text: 'Previous', disabled: p.page <= 1, on: { click: () => go(p.page - 1) } }));
  host.appendChild(h('span', { text: 'Page ' + p.page + ' of ' + pages + ' (' + p.total + ')' }));
  host.appendChild(h('button', { type: 'button', text: 'Next', disabled: p.page >= pages, on: { click: () => go(p.page + 1) } }));
}

export const notificationsView = {
  init() {
    render = bellPreview($('bell-preview'));
    const form = $('compose-form');
    // Selects and radios report through "change" (not every way of changing them fires "input"), text through "input".
    const changed = (e) => {
      draftChanged();
      if (e.target.name === 'to' || RECIPIENT_FIELDS.includes(e.target.id)) {
        showMode();
        scheduleCount();
      }
    };
    form.addEventListener('input', changed);
    form.addEventListener('change', changed);
    form.addEventListener('submit', send);
    $('compose-new').addEventListener('click', reset);
    $('sent-refresh').addEventListener('click', () => busy($('sent-refresh'), 'Loading', () => loadSent(sentPage)));
    showMode();
    updatePreview();
  },

  async show() {
    scheduleCount();
    await loadSent(sentPage);
  }
};
