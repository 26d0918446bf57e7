// Every procedure of the original router, through each @trpc/client 11 link, with the node's transformer.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { client, isTimestamp, rest, user, unique, rejection, transformerName } from '../support.mjs';

for (const linkName of ['httpLink', 'httpBatchLink', 'httpBatchStreamLink']) {
  describe(`every procedure over @trpc/client 11 ${linkName} (${transformerName})`, () => {
    const admin = user('ADMIN');
    const alice = user('CREATOR');
    let asAdmin;
    let asAlice;

    before(async () => {
      asAdmin = client(linkName, admin);
      asAlice = client(linkName, alice);
      // Her first call also records her in the users directory, so notifications can be sent to her.
      assert.deepEqual(await asAlice.system.notifications.getUnreadCount.query(), { data: { count: 0 } });
    });

    test('notifications: create, list, getUnreadCount, markAsRead, markAllAsRead, delete', async () => {
      const created = await asAdmin.system.notifications.create.mutate({
        userId: alice.id, type: 'PAYOUT', title: 'Paid', message: 'Your payout left', priority: 'HIGH',
        actionUrl: '/payouts/1', metadata: { amount: 2500 },
      });
      assert.equal(created.data.created, 1);
      assert.equal(created.data.notificationIds.length, 1);
      const [id] = created.data.notificationIds;
      await asAdmin.system.notifications.create.mutate({ userIds: [alice.id], type: 'SYSTEM', title: 'Second', message: 'm' });

      const page = await asAlice.system.notifications.list.query({ read: false, type: 'PAYOUT', page: 1, pageSize: 20 });
      assert.equal(page.data.length, 1);
      const n = page.data[0];
      assert.equal(n.id, id);
      assert.equal(n.userId, alice.id);
      assert.equal(n.title, 'Paid');
      assert.equal(n.priority, 'HIGH');
      assert.equal(n.read, false);
      assert.equal(n.readAt, null);
      assert.deepEqual(n.metadata, { amount: 2500 });
      assert.ok(isTimestamp(n.createdAt), `createdAt ${n.createdAt}`);
      assert.deepEqual(page.meta.pagination, { page: 1, pageSize: 20, total: 1, totalPages: 1 });
      assert.equal((await asAlice.system.notifications.list.query()).data.length, 2);
      assert.equal((await asAlice.system.notifications.getUnreadCount.query()).data.count, 2);

      const receipt = await asAlice.system.notifications.markAsRead.mutate({ notificationId: id });
      assert.equal(receipt.data.id, id);
      assert.equal(receipt.data.read, true);
      assert.ok(isTimestamp(receipt.data.readAt), `readAt ${receipt.data.readAt}`);
      assert.deepEqual(await asAlice.system.notifications.markAllAsRead.mutate(), { data: { count: 1 } });
      assert.equal((await asAlice.system.notifications.getUnreadCount.query()).data.count, 0);
      const read = await asAlice.system.notifications.list.query({ read: true });
      assert.ok(read.data.every((x) => x.read && isTimestamp(x.readAt)));

      assert.deepEqual(await asAlice.system.notifications.delete.mutate({ notificationId: id }), { data: { success: true } });
      const gone = await rejection(asAlice.system.notifications.markAsRead.mutate({ notificationId: id }));
      assert.equal(gone.data.code, 'NOT_FOUND');
    });

    test('notifications.create to every holder of a role', async () => {
      const broadcast = await asAdmin.system.notifications.create.mutate({
        userRole: 'CREATOR', type: 'SYSTEM', title: 'Maintenance', message: 'Tonight',
      });
      assert.ok(broadcast.data.created >= 1);
    });

    test('featureFlags: create, isEnabled, list, update, delete', async () => {
      const name = unique('trpc-flag');
      const created = await asAdmin.system.featureFlags.create.mutate({
        name, enabled: true, description: 'made over tRPC', rolloutPercentage: 100,
        conditions: { userRoles: ['CREATOR'] },
      });
      const flag = created.data;
      assert.equal(flag.name, name);
      assert.equal(flag.enabled, true);
      assert.equal(flag.rolloutPercentage, 100);
      assert.deepEqual(flag.conditions, { userRoles: ['CREATOR'] });
      assert.equal(flag.createdBy, admin.id);
      assert.ok(isTimestamp(flag.createdAt) && isTimestamp(flag.updatedAt));

      assert.deepEqual(await asAlice.system.featureFlags.isEnabled.query({ flagName: name }), { data: { enabled: true } });
      // The condition names CREATOR: an admin is not among them.
      assert.deepEqual(await asAdmin.system.featureFlags.isEnabled.query({ flagName: name }), { data: { enabled: false } });

      const listed = (await asAdmin.system.featureFlags.list.query()).data.find((f) => f.id === flag.id);
      assert.equal(listed.name, name);
      assert.ok(isTimestamp(listed.createdAt));

      const updated = await asAdmin.system.featureFlags.update.mutate({ id: flag.id, enabled: false, description: null });
      assert.equal(updated.data.enabled, false);
      assert.equal(updated.data.description, null);
      assert.equal(updated.data.updatedBy, admin.id);
      assert.deepEqual(await asAlice.system.featureFlags.isEnabled.query({ flagName: name }), { data: { enabled: false } });

      assert.deepEqual(await asAdmin.system.featureFlags.delete.mutate({ id: flag.id }), { data: { success: true } });
      assert.equal((await asAdmin.system.featureFlags.list.query()).data.some((f) => f.id === flag.id), false);
    });

    test('idempotency.check: unknown, processing (CONFLICT), completed', async () => {
      const key = unique('payout');
      assert.deepEqual(await asAlice.system.idempotency.check.query({ key }), { data: null });

      const claim = await rest('POST', '/idempotency', alice, { key, entityType: 'payout', requestHash: 'h1' });
      assert.equal(claim.status, 201);
      const busy = await rejection(asAlice.system.idempotency.check.query({ key }));
      assert.equal(busy.data.code, 'CONFLICT');
      assert.equal(busy.data.httpStatus, 409);
      assert.equal(busy.data.errorCode, 'IDEMPOTENCY_IN_PROGRESS');

      const done = await rest('POST', `/idempotency/${key}/complete`, alice,
        { entityId: 'po_1', responseStatus: 201, responseBody: { id: 'po_1' } });
      assert.equal(done.status, 200);
      const record = (await asAlice.system.idempotency.check.query({ key })).data;
      assert.equal(record.key, key);
      assert.equal(record.processed, true);
      assert.equal(record.entityType, 'payout');
      assert.equal(record.entityId, 'po_1');
      assert.equal(record.responseStatus, 201);
      assert.deepEqual(record.responseBody, { id: 'po_1' });
      assert.ok(isTimestamp(record.createdAt) && isTimestamp(record.expiresAt));
      // Keys are per caller: the admin does not see Alice's.
      assert.deepEqual(await asAdmin.system.idempotency.check.query({ key }), { data: null });
    });
  });
}
