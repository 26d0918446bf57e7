// Every call of the original module's examples, typed against the router: `tsc --noEmit` must accept this file.
import { createTRPCClient, httpBatchLink, httpBatchStreamLink, httpLink, TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import type { SuperJsonSystemRouter, SystemRouter } from '../src/index.js';

const url = 'http://localhost:8080/api/trpc';
const headers = () => ({ authorization: 'Bearer <token>' });

export async function plain() {
  const trpc = createTRPCClient<SystemRouter>({ links: [httpBatchLink({ url, headers })] });
  const record = await trpc.system.idempotency.check.query({ key: 'payout-2024-06-001' });
  const processed: boolean | undefined = record.data?.processed;
  const enabled: boolean = (await trpc.system.featureFlags.isEnabled.query({ flagName: 'new-checkout' })).data.enabled;
  const flags = await trpc.system.featureFlags.list.query();
  const createdAt: string = flags.data[0].createdAt; // plain JSON: timestamps are strings
  const flag = await trpc.system.featureFlags.create.mutate({ name: 'new-checkout', enabled: true, rolloutPercentage: 25,
    conditions: { userRoles: ['CREATOR'], customConditions: { plan: 'pro' } } });
  await trpc.system.featureFlags.update.mutate({ id: flag.data.id, rolloutPercentage: 50, description: null });
  const deleted: true = (await trpc.system.featureFlags.delete.mutate({ id: flag.data.id })).data.success;
  const page = await trpc.system.notifications.list.query({ read: false, type: 'PAYOUT', page: 1, pageSize: 20 });
  const total: number = page.meta.pagination.total;
  await trpc.system.notifications.list.query();
  const count: number = (await trpc.system.notifications.getUnreadCount.query()).data.count;
  const readAt: string = (await trpc.system.notifications.markAsRead.mutate({ notificationId: page.data[0].id })).data.readAt;
  const updated: number = (await trpc.system.notifications.markAllAsRead.mutate()).data.count;
  await trpc.system.notifications.delete.mutate({ notificationId: page.data[0].id });
  await trpc.system.notifications.create.mutate({ userId: 'u-1', type: 'SYSTEM', title: 'Hello', message: 'Hi' });
  await trpc.system.notifications.create.mutate({ userIds: ['u-1', 'u-2'], type: 'PAYOUT', title: 'Paid', message: '€25',
    priority: 'HIGH', actionUrl: '/payouts', metadata: { amount: 2500 } });
  const created: number = (await trpc.system.notifications.create.mutate({ userRole: 'CREATOR', type: 'SYSTEM',
    title: 'Maintenance', message: 'Tonight' })).data.created;
  try {
    await trpc.system.featureFlags.list.query();
  } catch (e) {
    if (e instanceof TRPCClientError) {
      const fields = (e as TRPCClientError<SystemRouter>).data?.zodError?.fieldErrors;
      return { fields, processed, enabled, createdAt, deleted, total, count, readAt, updated, created };
    }
  }
}

export async function withSuperjson() {
  const trpc = createTRPCClient<SuperJsonSystemRouter>({
    links: [httpBatchStreamLink({ url, headers, transformer: superjson })],
  });
  const flags = await trpc.system.featureFlags.list.query();
  const createdAt: Date = flags.data[0].createdAt; // superjson: timestamps are Dates
  const single = createTRPCClient<SuperJsonSystemRouter>({ links: [httpLink({ url, transformer: superjson })] });
  const readAt: Date = (await single.system.notifications.markAsRead.mutate({ notificationId: 'n-1' })).data.readAt;
  return { createdAt, readAt };
}
