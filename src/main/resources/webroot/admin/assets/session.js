// The signed-in admin: a token kept in sessionStorage for this tab, checked with GET /api/v1/me.
// When the token stops working, the sign-in form is shown over the console, whose DOM (and so every form
// in progress) stays as it was; calls waiting on the new token go on once it is given.

import { $, show } from './dom.js';

const KEY = 'admin.token';

let current = null;          // { token, sub, role, exp }
let waiting = [];            // resolvers of calls waiting for a new sign-in
const listeners = [];

function claims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
  } catch (e) {
    return {};
  }
}

async function me(token) {
  const response = await fetch('/api/v1/me', { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new Error(response.status === 401
      ? 'This token was refused' + (body && body.detail ? ': ' + body.detail : '') + '.'
      : 'The service answered ' + response.status + (body && body.detail ? ': ' + body.detail : '') + '.');
  }
  return body.data;
}

function showSignIn(reason) {
  show($('signin-reason'), reason || '');
  show($('signin-error'), '');
  $('app').hidden = true;
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  $('signin').hidden = false;
  $('signin-token').value = '';
  $('signin-token').focus();
}

function showConsole() {
  $('signin').hidden = true;
  $('app').hidden = false;
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  $('who').textContent = current.who.sub + ' · ADMIN'
    + (current.exp ? ' · until ' + new Date(current.exp * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '');
}

export const session = {
  token: () => (current ? current.token : ''),
  /** The signed-in admin as GET /api/v1/me describes it: {sub, role, brandId, creatorId}. */
  me: () => (current ? current.who : null),
  signedIn: () => current !== null && $('signin').hidden,

  /** Called with the new session after every successful sign-in (the first, and each one after an expiry). */
  onSignIn(fn) {
    listeners.push(fn);
  },

  /** Checks the token and signs in with it; a non-admin token is told plainly that it cannot administer. */
  async signIn(raw) {
    const token = (raw || '').trim();
    if (!token) throw new Error('Paste a token first.');
    const who = await me(token);
    if (who.role !== 'ADMIN') {
      throw new Error('This token belongs to "' + who.sub + '", whose role is ' + who.role
        + ': it cannot administer system-tables. Sign in with an ADMIN token.');
    }
    const resumed = current !== null;
    current = { token, who, exp: claims(token).exp || null };
    sessionStorage.setItem(KEY, token);
    showConsole();
    const resume = waiting;
    waiting = [];
    resume.forEach((r) => r());
    listeners.forEach((fn) => fn({ resumed }));
  },

  /**
   * The token stopped working (401 or a refused bridge registration): back to sign-in, keeping the console's
   * state. Resolves when a new ADMIN token is in place.
   */
  expired(detail) {
    if ($('signin').hidden) {
      sessionStorage.removeItem(KEY);
      showSignIn('Your session has ended' + (detail ? ' (' + detail + ')' : '')
        + '. Sign in again to carry on: what you were editing is kept.');
    }
    return new Promise((resolve) => waiting.push(resolve));
  },

  signOut() {
    sessionStorage.removeItem(KEY);
    location.hash = '';
    location.reload();
  },

  /** A token from the address (#token=… or ?token=…, then removed from it) or from this tab's storage. */
  initialToken() {
    const url = new URL(location.href);
    let token = url.searchParams.get('token');
    const hash = /^#token=([^&]+)/.exec(url.hash);
    if (hash) token = decodeURIComponent(hash[1]);
    if (token) {
      url.searchParams.delete('token');
      if (hash) url.hash = '';
      history.replaceState(null, '', url.pathname + url.search + url.hash);
      return token;
    }
    return sessionStorage.getItem(KEY);
  }
};

/** Wires the sign-in form. */
export function setUpSignIn() {
  $('signin-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const button = e.submitter || $('signin-form').querySelector('button');
    button.disabled = true;
    try {
      await session.signIn($('signin-token').value);
    } catch (err) {
      show($('signin-error'), err.message);
    } finally {
      button.disabled = false;
    }
  });
  $('sign-out').addEventListener('click', () => session.signOut());
}
