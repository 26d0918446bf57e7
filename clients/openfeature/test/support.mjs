// What the OpenFeature client tests share: the node under test (from the environment the JUnit test sets), tokens
// signed with its secret, a fetch that records every exchange, and the admin's REST calls.
import { createHmac, randomUUID } from 'node:crypto';

export const base = required('OFREP_BASE_URL'); // e.g. http://127.0.0.1:8080
const secret = required('JWT_SECRET');

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: these tests are started by dev.systemtables.ofrep.OfrepWebProviderTest`);
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

export const admin = token(`ops-${randomUUID()}`, 'ADMIN');

/** A unique flag name. */
export function flagName(base) {
  return `${base}-${randomUUID().slice(0, 8)}`;
}

/** Every OFREP exchange the provider made: URL, If-None-Match sent, status and ETag received. */
export function recordingFetch() {
  const exchanges = [];
  const fetchImpl = async (request, init) => {
    const response = await fetch(request, init);
    exchanges.push({
      url: request.url,
      method: request.method,
      ifNoneMatch: request.headers.get('If-None-Match'),
      status: response.status,
      etag: response.headers.get('ETag'),
      at: Date.now(),
    });
    return response;
  };
  return { exchanges, fetch: fetchImpl };
}

/** An admin REST call; the parsed answer. */
export async function rest(method, path, body) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Waits until `check()` is truthy (polling every 20 ms), or fails after `ms`. */
export async function eventually(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
