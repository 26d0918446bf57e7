// The original module's error mapping, as a frontend sees it through @trpc/client 11, and a batch that mixes
// successes and failures.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { TRPCClientError } from '@trpc/client';
import { client, recordingFetch, rejection, token, unique, user, transformerName } from '../support.mjs';

/** Asserts a TRPCClientError with this tRPC code, JSON-RPC number and HTTP status, for this procedure path. */
function assertTrpcError(e, code, jsonRpc, httpStatus, path) {
  assert.ok(e instanceof TRPCClientError, `expected a TRPCClientError, got ${e}`);
  assert.equal(e.data.code, code, e.message);
  assert.equal(e.shape.code, jsonRpc);
  assert.equal(e.data.httpStatus, httpStatus);
  if (path) assert.equal(e.data.path, path);
  assert.equal(e.data.stack, undefined, 'no stack trace leaves the server');
}

for (const linkName of ['httpLink', 'httpBatchLink', 'httpBatchStreamLink']) {
  describe(`errors over @trpc/client 11 ${linkName} (${transformerName})`, () => {
    const admin = user('ADMIN');
    const bob = user('VIEWER');
    const eve = user('VIEWER');
    let asAdmin;
    let asBob;
    let asEve;

    before(async () => {
      asAdmin = client(linkName, admin);
      asBob = client(linkName, bob);
      asEve = client(linkName, eve);
      await asBob.system.notifications.getUnreadCount.query();
      await asEve.system.notifications.getUnreadCount.query();
    });

    test('no token, a forged token and an expired one are UNAUTHORIZED', async () => {
      assertTrpcError(await rejection(client(linkName, null).system.notifications.getUnreadCount.query()),
        'UNAUTHORIZED', -32001, 401, 'system.notifications.getUnreadCount');
      const forged = bob.token.slice(0, -4) + 'AAAA';
      assertTrpcError(await rejection(client(linkName, forged).system.featureFlags.isEnabled.query({ flagName: 'x' })),
        'UNAUTHORIZED', -32001, 401, 'system.featureFlags.isEnabled');
      const expired = token(bob.id, 'VIEWER', { exp: Math.floor(Date.now() / 1000) - 60 });
      assertTrpcError(await rejection(client(linkName, expired).system.notifications.markAllAsRead.mutate()),
        'UNAUTHORIZED', -32001, 401, 'system.notifications.markAllAsRead');
    });

    test('admin procedures called without ADMIN are FORBIDDEN', async () => {
      assertTrpcError(await rejection(asBob.system.featureFlags.list.query()), 'FORBIDDEN', -32003, 403,
        'system.featureFlags.list');
      assertTrpcError(await rejection(asBob.system.featureFlags.create.mutate({ name: unique('nope') })),
        'FORBIDDEN', -32003, 403, 'system.featureFlags.create');
      assertTrpcError(await rejection(asBob.system.notifications.create.mutate({
        userId: bob.id, type: 'SYSTEM', title: 't', message: 'm',
      })), 'FORBIDDEN', -32003, 403, 'system.notifications.create');
    });

    test('a duplicate flag name is CONFLICT', async () => {
      const name = unique('dup-flag');
      await asAdmin.system.featureFlags.create.mutate({ name });
      const e = await rejection(asAdmin.system.featureFlags.create.mutate({ name }));
      assertTrpcError(e, 'CONFLICT', -32009, 409, 'system.featureFlags.create');
      assert.equal(e.data.errorCode, 'FLAG_NAME_TAKEN');
    });

    test('something missing, or another user\'s item, is NOT_FOUND', async () => {
      assertTrpcError(await rejection(asBob.system.notifications.markAsRead.mutate({ notificationId: 'no-such-id' })),
        'NOT_FOUND', -32004, 404, 'system.notifications.markAsRead');
      const { data } = await asAdmin.system.notifications.create.mutate({ userId: eve.id, type: 'SYSTEM', title: 'Eve', message: 'm' });
      const evesId = data.notificationIds[0];
      assertTrpcError(await rejection(asBob.system.notifications.markAsRead.mutate({ notificationId: evesId })),
        'NOT_FOUND', -32004, 404);
      assertTrpcError(await rejection(asBob.system.notifications.delete.mutate({ notificationId: evesId })),
        'NOT_FOUND', -32004, 404, 'system.notifications.delete');
      assertTrpcError(await rejection(asAdmin.system.featureFlags.update.mutate({ id: 'no-such-flag', enabled: true })),
        'NOT_FOUND', -32004, 404, 'system.featureFlags.update');
      assertTrpcError(await rejection(asAdmin.system.featureFlags.delete.mutate({ id: 'no-such-flag' })),
        'NOT_FOUND', -32004, 404, 'system.featureFlags.delete');
      // Eve's notification is untouched.
      assert.equal((await asEve.system.notifications.getUnreadCount.query()).data.count, 1);
    });

    test('invalid input is BAD_REQUEST with the offending fields in data.zodError.fieldErrors', async () => {
      const e = await rejection(asAdmin.system.notifications.create.mutate({
        userId: bob.id, type: 'MEMO', title: 'Hi', message: 'm',
      }));
      assertTrpcError(e, 'BAD_REQUEST', -32600, 400, 'system.notifications.create');
      assert.deepEqual(Object.keys(e.data.zodError.fieldErrors), ['type']);
      assert.match(e.data.zodError.fieldErrors.type[0], /^type must be one of LICENSE, PAYOUT, ROYALTY, PROJECT, SYSTEM/);

      const flag = await rejection(asAdmin.system.featureFlags.create.mutate({ name: 'Not Kebab', rolloutPercentage: 5 }));
      assertTrpcError(flag, 'BAD_REQUEST', -32600, 400);
      assert.ok(flag.data.zodError.fieldErrors.name?.length === 1, JSON.stringify(flag.data.zodError));

      const rollout = await rejection(asAdmin.system.featureFlags.create.mutate({ name: unique('ok-name'), rolloutPercentage: 101 }));
      assert.ok(rollout.data.zodError.fieldErrors.rolloutPercentage, JSON.stringify(rollout.data.zodError));

      const page = await rejection(asBob.system.notifications.list.query({ pageSize: 500 }));
      assert.ok(page.data.zodError.fieldErrors.pageSize, JSON.stringify(page.data.zodError));

      const missing = await rejection(asBob.system.featureFlags.isEnabled.query({}));
      assert.deepEqual(missing.data.zodError.fieldErrors, { flagName: ['flagName is required'] });

      const key = await rejection(asBob.system.idempotency.check.query({ key: 'has space' }));
      assert.ok(key.data.zodError.fieldErrors.key, JSON.stringify(key.data.zodError));

      const recipients = await rejection(asAdmin.system.notifications.create.mutate({
        userId: bob.id, userRole: 'VIEWER', type: 'SYSTEM', title: 't', message: 'm',
      }));
      assert.equal(recipients.data.code, 'BAD_REQUEST');
      assert.deepEqual(recipients.data.zodError.formErrors, ['exactly one of userId, userIds, userRole is required']);
    });

    test('an unknown procedure is NOT_FOUND', async () => {
      const e = await rejection(asBob.system.featureFlags.isEnable.query({ flagName: 'x' }));
      assertTrpcError(e, 'NOT_FOUND', -32004, 404, 'system.featureFlags.isEnable');
      assert.equal(e.message, 'No procedure found on path "system.featureFlags.isEnable"');
    });
  });
}

describe(`a batch mixing successes and failures (${transformerName})`, () => {
  const bob = user('VIEWER');

  test('httpBatchLink sends one request, answered 207, and each call gets its own outcome', async () => {
    const wire = recordingFetch();
    const trpc = client('httpBatchLink', bob, { fetch: wire.fetch });
    const [enabled, forbidden, invalid, count] = await Promise.allSettled([
      trpc.system.featureFlags.isEnabled.query({ flagName: 'nobody-has-this' }),
      trpc.system.featureFlags.list.query(),
      trpc.system.idempotency.check.query({ key: '' }),
      trpc.system.notifications.getUnreadCount.query(),
    ]);
    assert.equal(wire.exchanges.length, 1, JSON.stringify(wire.exchanges));
    assert.match(wire.exchanges[0].url, /\/api\/trpc\/system\.featureFlags\.isEnabled,system\.featureFlags\.list,system\.idempotency\.check,system\.notifications\.getUnreadCount\?batch=1&input=/);
    assert.equal(wire.exchanges[0].status, 207);
    assert.deepEqual(enabled, { status: 'fulfilled', value: { data: { enabled: false } } });
    assert.equal(forbidden.status, 'rejected');
    assert.equal(forbidden.reason.data.code, 'FORBIDDEN');
    assert.equal(invalid.reason.data.code, 'BAD_REQUEST');
    assert.deepEqual(invalid.reason.data.zodError.fieldErrors, { key: ['key must not be empty'] });
    assert.deepEqual(count, { status: 'fulfilled', value: { data: { count: 0 } } });
  });

  test('httpBatchStreamLink gets the same outcomes from one JSONL answer (200)', async () => {
    const wire = recordingFetch();
    const trpc = client('httpBatchStreamLink', bob, { fetch: wire.fetch });
    const [enabled, forbidden] = await Promise.allSettled([
      trpc.system.featureFlags.isEnabled.query({ flagName: 'nobody-has-this' }),
      trpc.system.featureFlags.list.query(),
    ]);
    assert.equal(wire.exchanges.length, 1);
    assert.equal(wire.exchanges[0].status, 200);
    assert.deepEqual(enabled, { status: 'fulfilled', value: { data: { enabled: false } } });
    assert.equal(forbidden.reason.data.code, 'FORBIDDEN');
    assert.equal(forbidden.reason.data.httpStatus, 403);
  });

  test('a mutation batch whose calls all fail the same way answers that one status', async () => {
    const wire = recordingFetch();
    const trpc = client('httpBatchLink', bob, { fetch: wire.fetch });
    const results = await Promise.allSettled([
      trpc.system.notifications.markAsRead.mutate({ notificationId: 'missing-1' }),
      trpc.system.notifications.delete.mutate({ notificationId: 'missing-2' }),
    ]);
    assert.equal(wire.exchanges.length, 1);
    assert.equal(wire.exchanges[0].status, 404);
    assert.deepEqual(results.map((r) => r.reason.data.code), ['NOT_FOUND', 'NOT_FOUND']);
  });
});
