// An audit history (flags and segments): newest first, each entry with a before/after table of the fields
// that changed (flag-model.js auditDiff), every value as text.

import { h, clear, time } from './dom.js';
import { auditDiff, display } from './flag-model.js';

export function renderAudit(target, entries) {
  const list = clear(target);
  for (const entry of entries) {
    const diff = auditDiff(entry);
    const rows = diff.map((d) => h('tr', { dataset: { field: d.field } },
      h('th', { scope: 'row', text: d.field }),
      h('td', { class: 'before' }, d.before === undefined ? '—' : h('del', { text: display(d.before) })),
      h('td', { class: 'after' }, d.after === undefined ? '—' : h('ins', { text: display(d.after) }))));
    list.appendChild(h('li', { class: 'audit-entry', dataset: { action: entry.action } },
      h('p', {}, h('strong', { text: entry.action.toLowerCase() }), ' by ', h('span', { text: entry.actor }), ', ',
        time(entry.createdAt)),
      rows.length
        ? h('div', { class: 'table-wrap' }, h('table', { class: 'diff' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Field' }), h('th', { scope: 'col', text: 'Before' }),
            h('th', { scope: 'col', text: 'After' }))),
          h('tbody', {}, rows)))
        : h('p', { class: 'hint', text: 'No field changed.' })));
  }
  if (!entries.length) list.appendChild(h('li', { class: 'hint', text: 'No history.' }));
}

