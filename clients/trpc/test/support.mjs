// What the client tests share: the node under test (from the environment the JUnit test sets), tokens signed
// with its secret, and tRPC clients built exactly as a frontend builds them.
import { createHmac, randomUUID } from 'node:crypto';
import { createTRPCClient, httpBatchLink, httpBatchStreamLink, httpLink } from '@trpc/client';
import superjson from 'superjson';

export const base = required('TRPC_BASE_URL'); // e.g. http://127.0.0.1:8080
export const url = `${base}/api/trpc`;
export const transformerName = process.env.TRPC_TRANSFORMER ?? 'json';
export const usesSuperjson = transformerName === 'superjson';
const secret = required('JWT_SECRET');

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: these tests are started by dev.systemtables.trpc.TrpcClientsTest`);
  return value;
}

const b64url = (text) => Buffer.from(text).toString('base64url');

/** An HS256 token for the node's secret, valid one hour. */
export function token(sub, role, extra = {}) {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ sub, role, exp: Math.floor(Date.now() / 1000) + 3600, ...extra }));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** A fresh user: its id and token. */
export function user(role = 'VIEWER') {
  const id = `${role.toLowerCase()}-${randomUUID()}`;
  return { id, token: token(id, role) };
}

export const links = { httpLink, httpBatchLink, httpBatchStreamLink };

/** Every HTTP exchange a client made (method, URL, request headers, status), for assertions about the wire. */
export function recordingFetch() {
  const exchanges = [];
  const fetchImpl = async (input, init) => {
    const response = await fetch(input, init);
    exchanges.push({ method: init?.method ?? 'GET', url: String(input), headers: init?.headers, status: response.status });
    return response;
  };
  return { exchanges, fetch: fetchImpl };
}

/**
 * A v11 client with one link of the given kind, authenticated as `who` (no Authorization header when null),
 * with superjson when the node under test uses it. As a frontend writes it, apart from the URL.
 */
export function client(linkName, who, options = {}) {
  const link = links[linkName];
  const headers = () => (who ? { authorization: `Bearer ${who.token ?? who}` } : {});
  return createTRPCClient({
    links: [link({ url, headers, ...(usesSuperjson ? { transformer: superjson } : {}), ...options })],
  });
}

/** The timestamp a client receives: a Date with superjson, an ISO-8601 string with plain JSON. */
export function isTimestamp(value) {
  return usesSuperjson ? value instanceof Date && !Number.isNaN(value.getTime())
    : typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

/** Calls REST (for what the original router had no procedure for, such as claiming an idempotency key). */
export async function rest(method, path, who, body) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${who.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** The rejection of a promise that must fail. */
export async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail, it succeeded');
}

export const unique = (prefix) => `${prefix}-${randomUUID().slice(0, 8)}`;
