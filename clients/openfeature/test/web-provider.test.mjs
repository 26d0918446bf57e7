// @openfeature/web-sdk 1.10.0 with @openfeature/ofrep-web-provider 0.4.3, unmodified, against a running node:
// what a browser app does to read flags through OpenFeature (run in Node, where the provider works the same way).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
import { base, token, flagName, recordingFetch, rest, eventually } from './support.mjs';
import { refreshOnFlagChanges } from '../src/flags-changed.mjs';

after(() => OpenFeature.close());

/** A provider as a browser app builds it, plus the recording fetch. */
function provider(userToken, pollInterval, fetchImplementation) {
  return new OFREPWebProvider({
    baseUrl: base,
    headers: [['Authorization', `Bearer ${userToken}`]],
    pollInterval,
    cacheMode: 'disabled', // Node has no localStorage; a browser keeps the default
    fetchImplementation,
  });
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function changeOf(client, flag) {
  return new Promise((resolve) => {
    const handler = (details) => {
      if (details?.flagsChanged?.includes(flag)) {
        client.removeHandler(ProviderEvents.ConfigurationChanged, handler);
        resolve(details);
      }
    };
    client.addHandler(ProviderEvents.ConfigurationChanged, handler);
  });
}

test('bulk evaluation with an ETag: the unchanged poll is a 304, an admin change arrives on the next poll', async () => {
  const flag = flagName('web-poll');
  const created = await rest('POST', '/flags', { name: flag, enabled: false, rolloutPercentage: 100 });
  const viewer = token('web-viewer-1', 'VIEWER');
  const { exchanges, fetch } = recordingFetch();
  await OpenFeature.setProviderAndWait('poll', provider(viewer, 250, fetch));
  const client = OpenFeature.getClient('poll');

  const first = client.getBooleanDetails(flag, true);
  assert.equal(first.value, false);
  assert.equal(first.reason, 'DISABLED');
  assert.equal(first.variant, 'off');
  assert.equal(exchanges[0].method, 'POST');
  assert.equal(new URL(exchanges[0].url).pathname, '/ofrep/v1/evaluate/flags');
  assert.equal(exchanges[0].status, 200);
  assert.match(exchanges[0].etag, /^"[A-Za-z0-9_-]+"$/);
  assert.equal(exchanges[0].ifNoneMatch, null);

  const unchanged = await eventually(() => exchanges.find((e) => e.status === 304), 5000, 'a 304 poll');
  assert.equal(unchanged.ifNoneMatch, exchanges[0].etag, 'the poll sent the ETag it was given');
  assert.equal(client.getBooleanValue(flag, true), false, 'a 304 keeps the cached values');

  const changed = changeOf(client, flag);
  const changedAt = Date.now();
  await rest('PATCH', `/flags/${created.data.id}`, { enabled: true });
  await withTimeout(changed, 10000, 'ConfigurationChanged naming the flag');
  const seen = exchanges.find((e) => e.at >= changedAt && e.status === 200);
  assert.ok(seen, 'the change came with a 200 poll');
  assert.equal(seen.ifNoneMatch, exchanges[0].etag, 'a conditional poll, answered 200 because the flags changed');
  const details = client.getBooleanDetails(flag, false);
  assert.equal(details.value, true);
  assert.equal(details.variant, 'on');
  assert.equal(details.reason, 'STATIC');

  const polls = exchanges.length;
  const notModified = exchanges.filter((e) => e.status === 304).length;
  console.log(`web provider: ${polls} bulk requests, ${notModified} answered 304, change seen ${Date.now() - changedAt} ms after the PATCH`);
  assert.ok(exchanges.every((e) => [200, 304].includes(e.status)), JSON.stringify(exchanges));
});

test('a user token evaluates its own claims whatever context the app sets, and a missing flag is the code default', async () => {
  const flag = flagName('web-creators');
  await rest('POST', '/flags', { name: flag, enabled: true, rolloutPercentage: 100, conditions: { userRoles: ['CREATOR'] } });
  await OpenFeature.setContext('claims', { targetingKey: 'someone-else', role: 'CREATOR' });
  await OpenFeature.setProviderAndWait('claims', provider(token('web-viewer-2', 'VIEWER'), 0));
  const client = OpenFeature.getClient('claims');
  const details = client.getBooleanDetails(flag, true);
  assert.equal(details.value, false);
  assert.equal(details.reason, 'TARGETING_MATCH');

  const missing = client.getBooleanDetails('web-no-such-flag', true);
  assert.equal(missing.value, true);
  assert.equal(missing.errorCode, 'FLAG_NOT_FOUND');

  await OpenFeature.setProviderAndWait('creator', provider(token('web-creator-1', 'CREATOR'), 0));
  assert.equal(OpenFeature.getClient('creator').getBooleanValue(flag, false), true);
});

test('flags.changed on the event-bus bridge makes the provider re-fetch at once, with no polling', async () => {
  const flag = flagName('web-push');
  const created = await rest('POST', '/flags', { name: flag, enabled: true, rolloutPercentage: 0 });
  const viewer = token('web-viewer-3', 'VIEWER');
  const { exchanges, fetch } = recordingFetch();
  await OpenFeature.setProviderAndWait('push', provider(viewer, 0, fetch));
  const client = OpenFeature.getClient('push');
  assert.equal(client.getBooleanValue(flag, true), false);

  const eb = refreshOnFlagChanges(base, viewer, 'push');
  try {
    // The bridge acknowledges the register with {"event":"registered"}; the glue re-fetches on it, since a
    // reconnect may have missed a change. Nothing changed here, so the re-fetch is a 304.
    await eventually(() => exchanges.length === 2, 5000, 'the re-fetch on the acknowledged register');
    assert.equal(exchanges[1].status, 304, 'nothing changed since the first bulk request');
    assert.equal(exchanges[1].ifNoneMatch, exchanges[0].etag);

    // Re-setting the context makes the SDK emit ContextChanged once the provider has the new values.
    const contextChanged = new Promise((resolve) => client.addHandler(ProviderEvents.ContextChanged, resolve));
    const changedAt = Date.now();
    await rest('PATCH', `/flags/${created.data.id}`, { rolloutPercentage: 100 });
    await eventually(() => client.getBooleanValue(flag, false) === true, 10000, 'the new value');
    const ms = Date.now() - changedAt;
    await withTimeout(contextChanged, 5000, 'ContextChanged');
    assert.equal(exchanges.length, 3, 'no polling: one more re-fetch, triggered by the push');
    assert.equal(exchanges[2].ifNoneMatch, exchanges[0].etag);
    assert.equal(exchanges[2].status, 200);
    console.log(`flags.changed push: the provider had the new value ${ms} ms after the PATCH answered (no polling)`);
  } finally {
    eb.enableReconnect(false);
    eb.close();
  }
});

test('typed flags reach the web SDK typed: a string from weighted variants, numbers and an object', async () => {
  const colour = flagName('web-colour');
  const pageSize = flagName('web-page-size');
  const ratio = flagName('web-ratio');
  const limits = flagName('web-limits');
  await rest('POST', '/flags', {
    name: colour, enabled: true, type: 'string', rules: [{}], defaultVariant: { name: 'grey', value: 'grey' },
    variants: [{ name: 'blue', value: 'blue', weight: 500 }, { name: 'green', value: 'green', weight: 500 }],
  });
  await rest('POST', '/flags', { name: pageSize, enabled: true, type: 'number', rules: [], defaultVariant: { name: 'ten', value: 10 } });
  await rest('POST', '/flags', { name: ratio, enabled: true, type: 'number', rules: [], defaultVariant: { name: 'half', value: 2.5 } });
  await rest('POST', '/flags', {
    name: limits, enabled: true, type: 'json', rules: [], defaultVariant: { name: 'basic', value: { uploads: 3, plan: 'basic' } },
  });
  const colours = new Set();
  for (let i = 0; i < 12; i++) {
    const domain = `typed-${i}`;
    await OpenFeature.setProviderAndWait(domain, provider(token(`web-typed-${i}`, 'VIEWER'), 0));
    const details = OpenFeature.getClient(domain).getStringDetails(colour, 'none');
    assert.ok(['blue', 'green'].includes(details.value), JSON.stringify(details));
    assert.equal(details.variant, details.value);
    assert.equal(details.reason, 'SPLIT');
    colours.add(details.value);
  }
  assert.deepEqual([...colours].sort(), ['blue', 'green']);
  const client = OpenFeature.getClient('typed-0');
  assert.equal(client.getNumberValue(pageSize, 0), 10);
  assert.equal(client.getNumberValue(ratio, 0), 2.5);
  assert.deepEqual(client.getObjectValue(limits, {}), { uploads: 3, plan: 'basic' });
  assert.equal(client.getBooleanDetails(colour, false).errorCode, 'TYPE_MISMATCH');
});

test('a forged token is refused: the provider does not become ready', async () => {
  const forged = token('web-viewer-4', 'VIEWER').slice(0, -2) + 'xx';
  await assert.rejects(OpenFeature.setProviderAndWait('forged', provider(forged, 0)));
});
