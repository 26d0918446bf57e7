// @trpc/client 10 (10.45.4) against the endpoint: httpBatchLink and httpLink, with the node's transformer
// (in v10 it is set on the client, not on the links). CommonJS, as v10 projects usually are.
const { describe, test, before } = require('node:test');
const assert = require('node:assert/strict');
const { createTRPCProxyClient, httpBatchLink, httpLink, TRPCClientError } = require('@trpc/client');
const superjson = require('superjson').default;

async function load() {
  return import('../test/support.mjs');
}

for (const linkName of ['httpBatchLink', 'httpLink']) {
  describe(`@trpc/client 10 ${linkName}`, () => {
    let s;
    let admin;
    let carol;
    let asAdmin;
    let asCarol;

    function v10client(who) {
      const link = linkName === 'httpLink' ? httpLink : httpBatchLink;
      return createTRPCProxyClient({
        ...(s.usesSuperjson ? { transformer: superjson } : {}),
        links: [link({ url: s.url, headers: () => ({ authorization: `Bearer ${who.token}` }) })],
      });
    }

    before(async () => {
      s = await load();
      admin = s.user('ADMIN');
      carol = s.user('BRAND');
      asAdmin = v10client(admin);
      asCarol = v10client(carol);
      assert.deepEqual(await asCarol.system.notifications.getUnreadCount.query(), { data: { count: 0 } });
    });

    test(`queries, mutations and no input at all (${process.env.TRPC_TRANSFORMER ?? 'json'})`, async () => {
      const created = await asAdmin.system.notifications.create.mutate({
        userId: carol.id, type: 'ROYALTY', title: 'Royalties', message: 'Statement ready',
      });
      const [id] = created.data.notificationIds;
      const [page, count] = await Promise.all([
        asCarol.system.notifications.list.query({ page: 1, pageSize: 5 }),
        asCarol.system.notifications.getUnreadCount.query(),
      ]);
      assert.equal(page.data[0].id, id);
      assert.ok(s.isTimestamp(page.data[0].createdAt));
      assert.equal(count.data.count, 1);
      const receipt = await asCarol.system.notifications.markAsRead.mutate({ notificationId: id });
      assert.ok(s.isTimestamp(receipt.data.readAt));
      assert.deepEqual(await asCarol.system.notifications.markAllAsRead.mutate(), { data: { count: 0 } });

      const name = s.unique('v10-flag');
      const flag = (await asAdmin.system.featureFlags.create.mutate({ name, enabled: true, rolloutPercentage: 100 })).data;
      assert.deepEqual(await asCarol.system.featureFlags.isEnabled.query({ flagName: name }), { data: { enabled: true } });
      assert.ok((await asAdmin.system.featureFlags.list.query()).data.some((f) => f.id === flag.id));
      assert.equal((await asAdmin.system.featureFlags.update.mutate({ id: flag.id, rolloutPercentage: 0 })).data.rolloutPercentage, 0);
      assert.deepEqual(await asAdmin.system.featureFlags.delete.mutate({ id: flag.id }), { data: { success: true } });
      assert.deepEqual(await asCarol.system.idempotency.check.query({ key: s.unique('k') }), { data: null });
      assert.deepEqual(await asCarol.system.notifications.delete.mutate({ notificationId: id }), { data: { success: true } });
    });

    test('errors keep their code, JSON-RPC number, status and zodError', async () => {
      const forbidden = await s.rejection(asCarol.system.featureFlags.list.query());
      assert.ok(forbidden instanceof TRPCClientError);
      assert.equal(forbidden.data.code, 'FORBIDDEN');
      assert.equal(forbidden.shape.code, -32003);
      assert.equal(forbidden.data.httpStatus, 403);
      const missing = await s.rejection(asCarol.system.notifications.markAsRead.mutate({ notificationId: 'nope' }));
      assert.equal(missing.data.code, 'NOT_FOUND');
      const invalid = await s.rejection(asCarol.system.notifications.list.query({ read: 'yes' }));
      assert.equal(invalid.data.code, 'BAD_REQUEST');
      assert.deepEqual(invalid.data.zodError.fieldErrors, { read: ['read must be a boolean'] });
    });
  });
}
