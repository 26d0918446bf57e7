// Must NOT compile: a notification names two kinds of recipient (exactly one of userId, userIds, userRole).
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { SystemRouter } from '../src/index.js';

const trpc = createTRPCClient<SystemRouter>({ links: [httpBatchLink({ url: 'http://localhost:8080/api/trpc' })] });
export const wrong = trpc.system.notifications.create.mutate({ userId: 'u-1', userRole: 'ADMIN', type: 'SYSTEM',
  title: 't', message: 'm' });
