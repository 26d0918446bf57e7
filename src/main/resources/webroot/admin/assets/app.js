// The admin console: sign-in, the sections behind hash routes (#/flags, #/flags/<id>, #/segments[/<id>],
// #/scheduled, #/notifications, #/jobs, #/users), and one bridge connection listening on flags.changed for the whole console.

import { $ } from './dom.js';
import { session, setUpSignIn } from './session.js';
import { connect } from './bridge.js';
import { flagsView } from './flags.js';
import { notificationsView } from './notifications.js';
import { jobsView } from './jobs.js';
import { usersView } from './users.js';
import { segmentsView } from './segments.js';
import { scheduledView } from './scheduled.js';

const views = { flags: flagsView, segments: segmentsView, scheduled: scheduledView, notifications: notificationsView,
  jobs: jobsView, users: usersView };
let bridge = null;

function route() {
  const m = /^#\/(\w+)(?:\/(.+))?$/.exec(location.hash);
  const name = m && views[m[1]] ? m[1] : 'flags';
  const param = m && m[2] ? decodeURIComponent(m[2]) : null;
  for (const key of Object.keys(views)) $('view-' + key).hidden = key !== name;
  document.querySelectorAll('#nav a').forEach((a) => {
    if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  document.title = name.charAt(0).toUpperCase() + name.slice(1) + ' · Admin · system-tables';
  views[name].show(param).catch((e) => { $('live').textContent = 'Could not load ' + name + ': ' + e.message; });
}

function liveState(state) {
  const el = $('live');
  el.dataset.state = state;
  if (state === 'live') el.textContent = 'live';
  else if (state !== 'live' && !el.textContent.startsWith('Changed')) el.textContent = state;
}

function startBridge() {
  if (bridge) {
    bridge.restart();
    return;
  }
  bridge = connect({
    address: 'flags.changed',
    token: session.token,
    onState: liveState,
    // Nothing is replayed after a reconnect: reload what the flags page shows.
    onOpen: () => { if (!$('view-flags').hidden) flagsView.reload().catch(() => {}); },
    onMessage: (msg) => { if (msg.event === 'flags.changed') flagsView.changed(msg.names || []); },
    onRefused: (reason) => { session.expired(reason); }
  });
}

function start() {
  setUpSignIn();
  Object.values(views).forEach((v) => v.init());
  window.addEventListener('hashchange', () => { if (session.signedIn()) route(); });
  session.onSignIn(({ resumed }) => {
    startBridge();
    // After a re-sign-in the console carries on where it was: forms keep their values, nothing is reloaded.
    if (!resumed) route();
  });
  const token = session.initialToken();
  if (token) {
    session.signIn(token).catch((e) => {
      $('signin-error').textContent = e.message;
      $('signin-error').hidden = false;
    });
  } else {
    $('signin-token').focus();
  }
}

start();
