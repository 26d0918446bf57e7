// "Who sees this": asks the evaluation API, never evaluates in the page, so the preview is the API's answer.
//
// The evaluation API of issue 14 (POST /api/v1/flags/evaluations) lets an ADMIN evaluate exactly the context it
// gives (userId, role, brandId, creatorId, properties) and answers value, variant and reason. The console asks
// the node once whether it has that API (`detect`): with it, `arbitraryContext` is true and the preview takes any
// user, role and brand; without it (an older node), the preview falls back to POST /api/v1/flags/evaluate,
// which answers a boolean for the admin's own token plus the attributes given.

import { api } from './api.js';

export const capabilities = {
  arbitraryContext: false
};

let detected = null;

/** Finds out once whether the node has the evaluation API for arbitrary contexts. */
export function detect() {
  if (!detected) {
    detected = api('POST', '/flags/evaluations', { flags: [], context: {} })
      .then(() => { capabilities.arbitraryContext = true; })
      .catch(() => { capabilities.arbitraryContext = false; });
  }
  return detected;
}

/**
 * Evaluates one flag. `subject`: {userId, role, brandId, creatorId, attributes}. Resolves with
 * {value, variant, reason, errorCode} (variant and reason null when the API does not give them).
 */
export async function evaluate(flagName, subject) {
  await detect();
  if (capabilities.arbitraryContext) {
    const context = { properties: subject.attributes || {} };
    for (const key of ['userId', 'role', 'brandId', 'creatorId']) {
      if (subject[key]) context[key] = subject[key];
    }
    const { body } = await api('POST', '/flags/evaluations', { flags: [flagName], context });
    const e = body.data.evaluations[0];
    return { value: e.value, variant: e.variant, reason: e.reason, errorCode: e.errorCode };
  }
  const { body } = await api('POST', '/flags/evaluate', { flags: [flagName], context: subject.attributes || {} });
  return { value: body.data.flags[flagName], variant: null, reason: null, errorCode: null };
}
