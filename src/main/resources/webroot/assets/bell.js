// The bell page: one user's inbox, live over the event-bus bridge's raw WebSocket.
// Everything the server sends is shown with textContent, never parsed as HTML.
(function () {
  'use strict';

  var PAGE_SIZE = 20;
  var KEEP = 50;
  var PING_MS = 5000;
  var MAX_BACKOFF_MS = 15000;
  // A register the bridge has not acknowledged by then is taken as lost: the page reconnects.
  var REGISTER_TIMEOUT_MS = 10000;

  var state = {
    token: null,
    sub: null,
    items: [],          // newest first
    ws: null,
    pingTimer: null,
    registerTimer: null,
    reconnectTimer: null,
    backoff: 1000,
    stopped: true
  };

  function $(id) { return document.getElementById(id); }

  function setStatus(text, live) {
    var s = $('status');
    s.textContent = text;
    s.classList.toggle('live', !!live);
  }

  function setBadge(count) {
    if (typeof count !== 'number') return;
    var badge = $('badge');
    badge.textContent = String(count);
    badge.classList.toggle('zero', count === 0);
    document.title = (count > 0 ? '(' + count + ') ' : '') + 'Notifications · system-tables';
  }

  function api(method, path) {
    return fetch('/api/v1' + path, {
      method: method,
      headers: { 'Authorization': 'Bearer ' + state.token }
    }).then(function (r) {
      if (r.status === 204) return null;
      return r.json().catch(function () { return null; }).then(function (body) {
        if (!r.ok) {
          var e = new Error(body && body.detail ? body.detail : 'HTTP ' + r.status);
          e.status = r.status;
          throw e;
        }
        return body;
      });
    });
  }

  function myAddress() { return 'notifications.user.' + state.sub; }

  // ---- rendering -------------------------------------------------------

  function safeHref(url) {
    if (typeof url !== 'string') return null;
    if (/^https?:\/\//i.test(url)) return url;
    if (url.charAt(0) === '/' && url.charAt(1) !== '/' && url.charAt(1) !== '\\') return url;
    return null;
  }

  function renderItem(n) {
    var li = document.createElement('li');
    li.dataset.id = n.id;
    li.className = (n.read ? 'read' : 'unread') + ' priority-' + n.priority;

    var title = document.createElement('p');
    title.className = 'title';
    title.textContent = n.title;
    li.appendChild(title);

    var message = document.createElement('p');
    message.className = 'message';
    message.textContent = n.message;
    li.appendChild(message);

    var meta = document.createElement('div');
    meta.className = 'meta';
    var info = document.createElement('span');
    info.textContent = n.type + ' · ' + n.priority + ' · ' + new Date(n.createdAt).toLocaleString();
    meta.appendChild(info);
    var href = safeHref(n.actionUrl);
    if (href) {
      var link = document.createElement('a');
      link.href = href;
      link.rel = 'noopener noreferrer';
      link.textContent = 'Open';
      meta.appendChild(link);
    }
    if (!n.read) {
      var mark = document.createElement('button');
      mark.type = 'button';
      mark.className = 'mark-read';
      mark.textContent = 'Mark read';
      mark.addEventListener('click', function () { markRead(n.id); });
      meta.appendChild(mark);
    }
    var del = document.createElement('button');
    del.type = 'button';
    del.className = 'delete';
    del.textContent = 'Delete';
    del.addEventListener('click', function () { remove(n.id); });
    meta.appendChild(del);
    li.appendChild(meta);
    return li;
  }

  function render() {
    var list = $('list');
    while (list.firstChild) list.removeChild(list.firstChild);
    state.items.forEach(function (n) { list.appendChild(renderItem(n)); });
    $('empty').hidden = state.items.length > 0;
  }

  // Orders like the server's lists (created_at, then id). The fraction is padded because the API's
  // timestamps drop trailing zero digits ("...:09Z", "...:09.5Z"), which would not sort as plain text.
  function orderKey(n) {
    var m = /^(.*?)(?:\.(\d+))?Z$/.exec(n.createdAt || '');
    return m ? m[1] + '.' + ((m[2] || '') + '000000000').slice(0, 9) + ' ' + n.id : String(n.createdAt) + ' ' + n.id;
  }

  function addNewest(list) {
    // Items already shown are replaced, not doubled. Sorted, not just prepended: after a reconnect a push
    // can arrive before the catch-up's answer, which then holds older notifications than the push.
    var seen = {};
    list.forEach(function (n) { seen[n.id] = true; });
    state.items = list.concat(state.items.filter(function (n) { return !seen[n.id]; }))
      .sort(function (a, b) { var ka = orderKey(a), kb = orderKey(b); return ka < kb ? 1 : ka > kb ? -1 : 0; })
      .slice(0, KEEP);
    render();
  }

  function update(id, change) {
    state.items.forEach(function (n) { if (n.id === id) change(n); });
    render();
  }

  // ---- REST ------------------------------------------------------------

  function loadNewest() {
    return api('GET', '/notifications?pageSize=' + PAGE_SIZE).then(function (body) {
      state.items = body.data;
      render();
    });
  }

  // After a reconnect: only what arrived meanwhile, or the newest page when the gap is unknown or too big.
  function catchUp() {
    if (state.items.length === 0) return loadNewest();
    var newest = state.items[0].id;
    return api('GET', '/notifications?pageSize=100&after=' + encodeURIComponent(newest)).then(function (body) {
      if (body.meta.pagination.total > body.data.length) return loadNewest();
      addNewest(body.data);
    }, function (e) {
      if (e.status === 404) return loadNewest();
      throw e;
    });
  }

  function refreshCount() {
    return api('GET', '/notifications/unread-count').then(function (body) { setBadge(body.data.count); });
  }

  function markRead(id) {
    api('POST', '/notifications/' + encodeURIComponent(id) + '/read').then(function (body) {
      update(id, function (n) { n.read = true; n.readAt = body.data.readAt; });
      if (!socketOpen()) return refreshCount();
    }).catch(showError);
  }

  function remove(id) {
    api('DELETE', '/notifications/' + encodeURIComponent(id)).then(function () {
      state.items = state.items.filter(function (n) { return n.id !== id; });
      render();
      if (!socketOpen()) return refreshCount();
    }).catch(showError);
  }

  function readAll() {
    api('POST', '/notifications/read-all').then(function () {
      state.items.forEach(function (n) { n.read = true; });
      render();
      if (!socketOpen()) return refreshCount();
    }).catch(showError);
  }

  function showError(e) { setStatus('error: ' + e.message, false); }

  // ---- live events -----------------------------------------------------

  function onEvent(ev) {
    switch (ev.event) {
      case 'notification.created':
        addNewest([ev.notification]);
        break;
      case 'notification.read':
        update(ev.id, function (n) { n.read = true; n.readAt = ev.readAt; });
        break;
      case 'notifications.read-all':
        state.items.forEach(function (n) { n.read = true; });
        render();
        break;
      case 'notification.deleted':
        state.items = state.items.filter(function (n) { return n.id !== ev.id; });
        render();
        break;
    }
    setBadge(ev.unreadCount);
  }

  function socketOpen() { return state.ws && state.ws.readyState === WebSocket.OPEN; }

  function send(frame) { if (socketOpen()) state.ws.send(JSON.stringify(frame)); }

  // Everything published from now on reaches this socket, so a catch-up now misses nothing.
  function registered() {
    clearTimeout(state.registerTimer);
    state.backoff = 1000;
    setStatus('live', true);
    Promise.all([catchUp(), refreshCount()]).catch(showError);
  }

  function connect() {
    if (state.stopped) return;
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/eventbus/websocket';
    var ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';   // the raw endpoint sends binary frames
    state.ws = ws;
    setStatus('connecting…', false);

    ws.onopen = function () {
      // The bridge replays nothing: register, and once the bridge acknowledges it, fetch what came meanwhile.
      send({ type: 'register', address: myAddress(), headers: { Authorization: 'Bearer ' + state.token } });
      state.pingTimer = setInterval(function () { send({ type: 'ping' }); }, PING_MS);
      setStatus('registering…', false);
      state.registerTimer = setTimeout(function () { ws.close(); }, REGISTER_TIMEOUT_MS);
    };
    ws.onmessage = function (msg) {
      if (state.ws !== ws) return;   // a socket already replaced: its acknowledgement is not the current one's
      var text = typeof msg.data === 'string' ? msg.data : new TextDecoder('utf-8').decode(msg.data);
      var frame;
      try { frame = JSON.parse(text); } catch (e) { return; }
      if (frame.type === 'err' && frame.address === myAddress()) {
        // Refused (e.g. the token expired): reconnecting would be refused again.
        state.stopped = true;
        setStatus('refused: ' + frame.message, false);
        ws.close();
      } else if (frame.type === 'rec' && frame.address === myAddress() && frame.body) {
        if (frame.body.event === 'registered') registered();
        else onEvent(frame.body);
      }
    };
    ws.onclose = function () {
      clearInterval(state.pingTimer);
      clearTimeout(state.registerTimer);
      if (state.ws !== ws || state.stopped) return;
      setStatus('reconnecting…', false);
      state.reconnectTimer = setTimeout(connect, state.backoff);
      state.backoff = Math.min(state.backoff * 2, MAX_BACKOFF_MS);
    };
  }

  // ---- start and stop --------------------------------------------------

  function open(token) {
    state.token = token.trim();
    $('login-error').hidden = true;
    return api('GET', '/me').then(function (body) {
      state.sub = body.data.sub;
      sessionStorage.setItem('bell.token', state.token);
      $('who').textContent = 'Signed in as ' + state.sub;
      $('login').hidden = true;
      $('inbox').hidden = false;
      state.stopped = false;
      return Promise.all([loadNewest(), refreshCount()]).then(connect);
    }).catch(function (e) {
      state.token = null;
      $('login-error').textContent = 'Token refused: ' + e.message;
      $('login-error').hidden = false;
    });
  }

  function forget() {
    state.stopped = true;
    clearTimeout(state.reconnectTimer);
    if (state.ws) state.ws.close();
    state.ws = null;
    state.token = state.sub = null;
    state.items = [];
    sessionStorage.removeItem('bell.token');
    render();
    setBadge(0);
    setStatus('not connected', false);
    $('inbox').hidden = true;
    $('login').hidden = false;
  }

  $('token-form').addEventListener('submit', function (e) {
    e.preventDefault();
    open($('token-input').value);
  });
  $('read-all').addEventListener('click', readAll);
  $('forget').addEventListener('click', forget);

  // ?token=... opens the inbox at once; the token is then taken out of the address bar.
  var params = new URLSearchParams(location.search);
  var fromUrl = params.get('token');
  if (fromUrl) {
    params.delete('token');
    var rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
  }
  var token = fromUrl || sessionStorage.getItem('bell.token');
  if (token) open(token);
})();
