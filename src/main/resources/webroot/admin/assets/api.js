// Every call of the console goes through here, to the public REST API with the admin's token. A 401
// (expired or revoked token) does not lose the caller's work: the sign-in screen comes back, and once a
// fresh ADMIN token is given the same request is sent again.

import { session } from './session.js';

/** A failed call: status, problem code, detail, and the request field the detail names (if any). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : 'HTTP ' + status);
    this.status = status;
    this.code = problem ? problem.code : null;
    this.problem = problem || {};
    this.field = fieldOf(this.message);
  }
}

/**
 * The field a problem's detail names: the API's details start with it, e.g. "rolloutPercentage must be …",
 * "conditions.userRoles[0] 'X' is not a role", "users[3].role must be one of …".
 */
export function fieldOf(detail) {
  const m = /^([A-Za-z][\w-]*(?:\[\d+\])?(?:\.[A-Za-z_][\w-]*(?:\[\d+\])?)*) /.exec(detail || '');
  return m ? m[1] : null;
}

/**
 * Calls /api/v1 + path. Resolves with the parsed body (null for 204) and, as `replayed`, whether the
 * Idempotency-Key header made the server answer from its store. Rejects with ApiError for any 4xx/5xx
 * except 401, which waits for a new sign-in and retries.
 */
export async function api(method, path, body, options = {}) {
  for (;;) {
    const headers = { Authorization: 'Bearer ' + session.token() };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
    const response = await fetch('/api/v1' + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store'
    });
    if (response.status === 401 && !options.noReauth) {
      const problem = await response.json().catch(() => null);
      await session.expired(problem && problem.detail);
      continue;
    }
    const parsed = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, parsed);
    return { body: parsed, replayed: response.headers.get('Idempotent-Replayed') === 'true' };
  }
}

export const get = (path) => api('GET', path).then((r) => r.body);
