// The glue that makes an OpenFeature web provider learn of a flag change at once, without polling: the
// service's SockJS event-bus bridge publishes {"event":"flags.changed","names":[...]} on `flags.changed`, and
// setting the same context again makes the OFREP web provider re-fetch its bulk evaluation (with If-None-Match).
// The README's "OpenFeature (OFREP)" shows these lines; the Node tests import them from here.
import EventBus from '@vertx/eventbus-bridge-client.js';
import { OpenFeature } from '@openfeature/web-sdk';

/** Re-evaluates the flags of `domain` (the default provider when undefined) whenever an admin changes a flag. */
export function refreshOnFlagChanges(serviceUrl, token, domain) {
  const eb = new EventBus(`${serviceUrl}/eventbus`);
  eb.enableReconnect(true); // the bridge replays nothing: register again on every (re)open
  // Called on each flags.changed and once on {"event":"registered"}, the bridge's acknowledgement of the register:
  // changes made while the socket was down are fetched then (a 304 when there were none).
  const refresh = () => (domain ? OpenFeature.setContext(domain, OpenFeature.getContext(domain))
    : OpenFeature.setContext(OpenFeature.getContext()));
  eb.onopen = () => eb.registerHandler('flags.changed', { Authorization: `Bearer ${token}` }, refresh);
  return eb; // eb.close() stops it
}
