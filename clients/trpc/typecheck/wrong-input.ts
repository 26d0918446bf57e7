// Must NOT compile: a wrong input type (flagName must be a string).
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { SystemRouter } from '../src/index.js';

const trpc = createTRPCClient<SystemRouter>({ links: [httpBatchLink({ url: 'http://localhost:8080/api/trpc' })] });
export const wrong = trpc.system.featureFlags.isEnabled.query({ flagName: 42 });
