// Segments (#/segments): named sets of constraints that rules reuse. List, create, edit, delete; deleting or
// renaming a segment that rules use is refused by the API (409), and its answer is shown as it is.

import { $, h, clear, show, time, relative, busy, confirmAction, clearErrors, showError } from './dom.js';
import { api, get } from './api.js';
import { same } from './flag-model.js';
import { segmentState, segmentJson, constraintText } from './rules-model.js';
import { bound, constraintsPart } from './constraints-ui.js';
import { renderAudit } from './audit-view.js';

const P = 's';
let segments = [];
let editing = null;         // the segment in the editor as loaded (null: a new one)
let state = segmentState(null);

function renderList() {
  const body = clear($('segment-table').tBodies[0]);
  for (const s of segments) {
    body.appendChild(h('tr', { dataset: { name: s.name, id: s.id } },
      h('td', { attrs: { 'data-label': 'Segment' } },
        h('a', { href: '#/segments/' + encodeURIComponent(s.id), class: 'flag-name', text: s.name }),
        s.description ? h('p', { class: 'description', text: s.description }) : null),
      h('td', { attrs: { 'data-label': 'Constraints' } }, s.constraints.length
        ? h('ul', { class: 'plain' }, ...s.constraints.map((c) => h('li', { text: constraintText(c) })))
        : 'everyone'),
      h('td', { attrs: { 'data-label': 'Last change' } },
        time(s.updatedAt, relative(s.updatedAt)), ' by ', h('span', { text: s.updatedBy || s.createdBy || '—' }))));
  }
  if (!segments.length) body.appendChild(h('tr', {}, h('td', { colSpan: 3, class: 'hint', text: 'No segments yet.' })));
  $('segment-count').textContent = segments.length + (segments.length === 1 ? ' segment' : ' segments');
}

async function load() {
  segments = (await get('/flags/segments')).data.sort((a, b) => (a.name < b.name ? -1 : 1));
  renderList();
}

function redraw(focusId) {
  const host = clear($('segment-constraints'));
  host.appendChild(constraintsPart(P, state.constraints, 'constraints', null, redraw));
  if (focusId) {
    const el = document.getElementById(focusId);
    if (el) el.focus();
  }
}

function open(segment) {
  editing = segment;
  state = segmentState(segment);
  const form = $('segment-form');
  clearErrors(form);
  show($('segment-error'), '');
  show($('segment-result'), '');
  $('segment-form-title').textContent = segment ? 'Edit segment ' + segment.name : 'New segment';
  const fields = clear($('segment-fields'));
  fields.appendChild(bound(P, 'name', 'Name', state, 'name'));
  fields.appendChild(bound(P, 'description', 'Description', state, 'description', 'textarea'));
  redraw();
  $('segment-delete').hidden = !segment;
  $('segment-audit').hidden = !segment;
  if (segment) loadAudit(segment.id);
  form.hidden = false;
  $('s-name').focus();
}

let auditSeq = 0;

async function loadAudit(id) {
  const seq = ++auditSeq;
  try {
    const entries = (await get('/flags/segments/' + encodeURIComponent(id) + '/audit')).data;
    if (seq === auditSeq) renderAudit($('segment-audit-list'), entries);
  } catch (e) {
    if (seq === auditSeq) clear($('segment-audit-list')).appendChild(h('li', { class: 'error', text: 'History unavailable: ' + e.message }));
  }
}

function close() {
  editing = null;
  $('segment-form').hidden = true;
  if (location.hash.startsWith('#/segments/')) history.replaceState(null, '', '#/segments');
}

async function save(e) {
  e.preventDefault();
  const form = $('segment-form');
  clearErrors(form);
  show($('segment-error'), '');
  show($('segment-result'), '');
  const body = segmentJson(state);
  let send = body;
  if (editing) {
    const before = segmentJson(segmentState(editing));
    send = {};
    for (const key of Object.keys(body)) if (!same(body[key], before[key])) send[key] = body[key];
    if (!Object.keys(send).length) {
      show($('segment-result'), 'Nothing changed.');
      return;
    }
  } else if (send.description === null) {
    delete send.description;
  }
  try {
    const { body: answer } = await busy($('segment-save'), 'Saving', () => editing
      ? api('PATCH', '/flags/segments/' + encodeURIComponent(editing.id), send)
      : api('POST', '/flags/segments', send));
    const created = !editing;
    await load();
    history.replaceState(null, '', '#/segments/' + encodeURIComponent(answer.data.id));
    open(answer.data);
    show($('segment-result'), created ? 'Created.' : 'Saved.');
  } catch (err) {
    showError(form, $('segment-error'), err);
  }
}

async function remove() {
  if (!editing) return;
  const s = editing;
  if (!(await confirmAction('Delete segment "' + s.name + '"?', 'Delete', true))) return;
  try {
    await busy($('segment-delete'), 'Deleting', () => api('DELETE', '/flags/segments/' + encodeURIComponent(s.id)));
    close();
    await load();
  } catch (err) {
    // 409: rules use it. The API's answer says which flags.
    show($('segment-error'), (err.status === 409 ? 'Not deleted: ' : '') + err.message);
  }
}

export const segmentsView = {
  init() {
    $('segment-new').addEventListener('click', () => { location.hash = '#/segments/new'; });
    $('segment-form').addEventListener('submit', save);
    $('segment-delete').addEventListener('click', remove);
    $('segment-cancel').addEventListener('click', close);
  },
  async show(param) {
    await load();
    if (param === 'new') open(null);
    else if (param) {
      const s = segments.find((x) => x.id === param);
      if (s) open(s); else close();
    } else close();
  }
};
