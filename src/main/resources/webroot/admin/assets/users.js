// Users directory: search and page, create or edit one user, and import a CSV file through the bulk
// endpoint (PUT /api/v1/users): one call, all or nothing, with every wrong line named.

import { $, h, clear, show, busy, clearErrors, showError } from './dom.js';
import { api, get, ApiError } from './api.js';
import { pager } from './notifications.js';
import { usersFromCsv } from './csv.js';

const PAGE_SIZE = 20;
const MAX_IMPORT = 10000;   // the bulk endpoint's limit: one call keeps the import all-or-nothing

let page = 1;
let editingId = null;       // null: a new user
let searchTimer = null;
let loadSeq = 0;

async function load(to = page) {
  page = to;
  const params = new URLSearchParams({ page: String(page), pageSize: String(PAGE_SIZE) });
  const q = $('user-search').value.trim();
  if (q) params.set('q', q);
  if ($('user-role-filter').value) params.set('role', $('user-role-filter').value);
  const seq = ++loadSeq;
  const body = await get('/users?' + params);
  if (seq !== loadSeq) return;            // typing ran ahead: only the latest search is shown
  const rows = clear($('user-table').tBodies[0]);
  for (const u of body.data) {
    rows.appendChild(h('tr', { dataset: { id: u.id } },
      h('td', { attrs: { 'data-label': 'Id' }, class: 'user-id', text: u.id }),
      h('td', { attrs: { 'data-label': 'Role' }, text: u.role }),
      h('td', { attrs: { 'data-label': 'Brand' }, text: u.brandId || '' }),
      h('td', { attrs: { 'data-label': 'Creator' }, text: u.creatorId || '' }),
      h('td', { attrs: { 'data-label': 'Email' }, text: u.email || '' }),
      h('td', {}, h('button', { type: 'button', text: 'Edit', attrs: { 'aria-label': 'Edit ' + u.id },
        on: { click: () => edit(u) } }))));
  }
  if (!body.data.length) rows.appendChild(h('tr', {}, h('td', { colSpan: 6, class: 'hint', text: 'No user matches.' })));
  pager($('user-pager'), body.meta.pagination, load);
}

function edit(user) {
  editingId = user ? user.id : null;
  const form = $('user-form');
  clearErrors(form);
  show($('user-form-error'), '');
  $('user-form-title').textContent = user ? 'Edit ' + user.id : 'New user';
  $('user-id').value = user ? user.id : '';
  $('user-id').readOnly = !!user;
  $('user-role').value = user ? user.role : 'CREATOR';
  $('user-brand').value = user && user.brandId ? user.brandId : '';
  $('user-creator').value = user && user.creatorId ? user.creatorId : '';
  $('user-email').value = user && user.email ? user.email : '';
  form.hidden = false;
  (user ? $('user-role') : $('user-id')).focus();
}

async function save(e) {
  e.preventDefault();
  const form = $('user-form');
  clearErrors(form);
  show($('user-form-error'), '');
  const id = $('user-id').value.trim();
  const body = { role: $('user-role').value };
  for (const [key, input] of [['brandId', 'user-brand'], ['creatorId', 'user-creator'], ['email', 'user-email']]) {
    const v = $(input).value.trim();
    if (v) body[key] = v;
  }
  try {
    if (!id) throw new ApiError(400, { detail: 'id is required' });
    await busy($('user-save'), 'Saving', () => api('PUT', '/users/' + encodeURIComponent(id), body));
    form.hidden = true;
    $('user-search').value = id;
    await load(1);
  } catch (err) {
    showError(form, $('user-form-error'), err);
  }
}

// ---- CSV import ------------------------------------------------------------

function report(summary, errors) {
  $('import-summary').textContent = summary;
  const list = clear($('import-errors'));
  for (const e of errors) {
    list.appendChild(h('li', { dataset: { line: e.line === null ? '' : String(e.line) },
      text: (e.line === null ? '' : 'Line ' + e.line + (e.id ? ' (' + e.id + ')' : '') + ': ') + e.detail }));
  }
  $('import-report').hidden = false;
}

async function importCsv(e) {
  e.preventDefault();
  $('import-report').hidden = true;
  show($('import-result'), '');
  const file = $('import-file').files[0];
  if (!file) {
    report('Choose a CSV file first.', []);
    return;
  }
  const button = $('import-run');
  await busy(button, 'Importing ' + file.name, async () => {
    const { users, lines, errors } = usersFromCsv(await file.text(), MAX_IMPORT);
    if (errors.length) {
      report('Nothing was imported: the file has ' + errors.length + (errors.length === 1 ? ' problem.' : ' problems.'), errors);
      return;
    }
    try {
      const { body } = await api('PUT', '/users', { users });
      show($('import-result'), 'Imported ' + body.data.upserted + ' users from ' + file.name + '.');
      await load(1);
    } catch (err) {
      // The bulk endpoint writes nothing when an entry is wrong, and lists each wrong entry (users[i]...).
      const listed = (err.problem && err.problem.errors) || [{ index: indexOf(err.message), detail: err.message }];
      report('Nothing was imported: ' + (listed.length === 1 ? 'one line is' : listed.length + ' lines are') + ' wrong.',
        listed.map((x) => ({
          line: x.index === null || x.index === undefined ? null : lines[x.index],
          id: x.index === null || x.index === undefined ? null : users[x.index] && users[x.index].id,
          detail: x.detail
        })));
    }
  });
}

function indexOf(detail) {
  const m = /^users\[(\d+)\]/.exec(detail || '');
  return m ? Number(m[1]) : null;
}

export const usersView = {
  init() {
    $('user-search').addEventListener('input', () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => load(1), 250);
    });
    $('user-role-filter').addEventListener('input', () => load(1));
    $('user-filters').addEventListener('submit', (e) => { e.preventDefault(); load(1); });
    $('user-new').addEventListener('click', () => edit(null));
    $('user-cancel').addEventListener('click', () => { $('user-form').hidden = true; });
    $('user-form').addEventListener('submit', save);
    $('import-form').addEventListener('submit', importCsv);
  },
  show() {
    return load(page);
  }
};
