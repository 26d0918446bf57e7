// "Who sees this": asks the evaluation API, never evaluates in the page, so the preview is the API's answer.
//
// Today's POST /api/v1/flags/evaluate answers for the caller's own token (sub, role, brandId, creatorId are the
// token's; the request's `context` only adds attributes for custom conditions) and answers a boolean only.
// Previewing for an arbitrary user, role and brand, with a variant and a reason, needs the evaluation API of
// issue 14 (ADMIN may evaluate for a context given in the request; answers value, variant, reason). Until
// then `arbitraryContext` is false: the preview form is fixed to the signed-in admin's identity.

import { api } from './api.js';

export const capabilities = {
  arbitraryContext: false
};

/**
 * Evaluates one flag. `subject`: {userId, role, brandId, creatorId, attributes}. Resolves with
 * {value, variant, reason} (variant and reason null when the API does not give them).
 */
export async function evaluate(flagName, subject) {
  const { body } = await api('POST', '/flags/evaluate', { flags: [flagName], context: subject.attributes || {} });
  return { value: body.data.flags[flagName], variant: null, reason: null };
}
