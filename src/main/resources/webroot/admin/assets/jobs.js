// Jobs: schedule, next run and recent runs of each job, and "run now", followed until the run finishes.

import { $, h, clear, relative, time, busy } from './dom.js';
import { api, get } from './api.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function runRow(run) {
  return h('tr', { dataset: { id: run.id, status: run.status } },
    h('td', { attrs: { 'data-label': 'Started' } }, time(run.startedAt)),
    h('td', { attrs: { 'data-label': 'Finished' } }, run.finishedAt ? time(run.finishedAt) : '—'),
    h('td', { attrs: { 'data-label': 'Status' } }, h('span', { class: 'status ' + run.status.toLowerCase(), text: run.status })),
    h('td', { attrs: { 'data-label': 'Deleted' }, class: 'deleted', text: String(run.deleted) }),
    h('td', { attrs: { 'data-label': 'Error' }, class: 'run-error', text: run.error || '' }));
}

function render(jobs) {
  const host = clear($('jobs-list'));
  for (const job of jobs) {
    const button = h('button', { type: 'button', class: 'primary', text: 'Run now',
      attrs: { 'aria-label': 'Run ' + job.name + ' now' } });
    button.addEventListener('click', () => runNow(job.name, button));
    host.appendChild(h('section', { class: 'card job', dataset: { job: job.name }, attrs: { 'aria-label': job.name } },
      h('div', { class: 'view-head' }, h('h3', { text: job.name }), button),
      h('dl', { class: 'facts' },
        h('dt', { text: 'Schedule (UTC)' }), h('dd', {}, h('code', { text: job.schedule })),
        h('dt', { text: 'Next run' }), h('dd', {}, time(job.nextRunAt), ' (', relative(job.nextRunAt), ')')),
      h('div', { class: 'table-wrap' }, h('table', { class: 'list runs' },
        h('caption', { text: 'Recent runs' }),
        h('thead', {}, h('tr', {}, ...['Started', 'Finished', 'Status', 'Rows deleted', 'Error']
          .map((t) => h('th', { scope: 'col', text: t })))),
        h('tbody', {}, job.recentRuns.length ? job.recentRuns.map(runRow)
          : h('tr', {}, h('td', { colSpan: 5, class: 'hint', text: 'No runs yet.' })))))));
  }
}

async function load() {
  const body = await get('/jobs');
  render(body.data);
  return body.data;
}

/**
 * Starts a run and follows it in GET /jobs until it is no longer RUNNING (at most a minute), with a progress
 * indicator beside the button; the list is shown again once the run has finished.
 */
async function runNow(name, button) {
  try {
    await busy(button, 'Running ' + name, async () => {
      const { body } = await api('POST', '/jobs/' + encodeURIComponent(name) + '/run');
      const runId = body.data.runId;
      for (let i = 0; i < 120; i++) {
        const jobs = (await get('/jobs')).data;
        const job = jobs.find((j) => j.name === name);
        const run = job && job.recentRuns.find((r) => r.id === runId);
        if (run && run.status !== 'RUNNING') return;
        await sleep(500);
      }
    });
  } catch (e) {
    $('live').textContent = 'Could not run ' + name + ': ' + e.message;
  }
  await load();
}

export const jobsView = {
  init() {
    $('jobs-refresh').addEventListener('click', () => busy($('jobs-refresh'), 'Loading', load));
  },
  show() {
    return load();
  }
};
