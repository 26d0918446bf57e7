// Must NOT compile: a misspelt procedure (isEnable instead of isEnabled).
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { SystemRouter } from '../src/index.js';

const trpc = createTRPCClient<SystemRouter>({ links: [httpBatchLink({ url: 'http://localhost:8080/api/trpc' })] });
export const wrong = trpc.system.featureFlags.isEnable.query({ flagName: 'new-checkout' });
