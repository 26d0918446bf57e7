// A tiny client of the event-bus bridge over its raw WebSocket (/eventbus/websocket), the same protocol
// the bell page speaks: register with the token in the frame headers, ping every 5 s (the bridge drops a
// socket silent for 10 s), and on every reconnect register again. The bridge replays nothing, so once it
// acknowledges the register ({"event":"registered"}) the caller reloads what it shows: `onOpen`. A register
// not acknowledged within 10 s is taken as lost, and the socket is reopened.

const PING_MS = 5000;
const MAX_BACKOFF_MS = 10000;
const REGISTER_TIMEOUT_MS = 10000;

export function connect({ address, token, onMessage, onOpen, onState, onRefused }) {
  let ws = null;
  let ping = null;
  let backoff = 500;
  let stopped = false;
  let retry = null;
  let unacknowledged = null;

  const send = (frame) => { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame)); };

  function open() {
    if (stopped) return;
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/eventbus/websocket';
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';   // the raw endpoint sends binary frames
    ws = socket;
    onState('connecting');
    socket.onopen = () => {
      send({ type: 'register', address, headers: { Authorization: 'Bearer ' + token() } });
      ping = setInterval(() => send({ type: 'ping' }), PING_MS);
      unacknowledged = setTimeout(() => socket.close(), REGISTER_TIMEOUT_MS);
    };
    socket.onmessage = (msg) => {
      if (ws !== socket) return; // a socket already replaced: its acknowledgement is not the current one's
      const text = typeof msg.data === 'string' ? msg.data : new TextDecoder('utf-8').decode(msg.data);
      let frame;
      try { frame = JSON.parse(text); } catch (e) { return; }
      if (frame.type === 'err' && frame.address === address) {
        // Refused, e.g. the token expired: reconnecting with the same token would be refused again.
        stopped = true;
        onState('offline');
        socket.close();
        onRefused(frame.message);
      } else if (frame.type === 'rec' && frame.address === address && frame.body) {
        if (frame.body.event === 'registered') {
          clearTimeout(unacknowledged);
          backoff = 500;
          onState('live');
          onOpen();
        } else {
          onMessage(frame.body);
        }
      }
    };
    socket.onclose = () => {
      clearInterval(ping);
      clearTimeout(unacknowledged);
      if (ws !== socket || stopped) return;
      onState('reconnecting');
      retry = setTimeout(open, backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    };
  }

  open();
  return {
    /** Reconnects now (after a new sign-in). */
    restart() {
      stopped = false;
      clearTimeout(retry);
      if (ws) { const old = ws; ws = null; old.close(); }
      open();
    },
    stop() {
      stopped = true;
      clearTimeout(retry);
      if (ws) ws.close();
    }
  };
}
