// The flag model as the console edits it: pure functions between the API's flag JSON and the editor's
// values, the list filters, and the audit diff. No DOM here.
//
// Today a flag is {name, enabled, description, rolloutPercentage, conditions{userRoles, brandIds, creatorIds,
// userIds, customConditions}}. Members of a flag the editor does not know (the typed flags of issue 14:
// variants, rules, segments, dependencies) are never dropped: a save sends only what the editor changed.

export const ROLES = ['ADMIN', 'CREATOR', 'BRAND', 'VIEWER', 'SERVICE'];
export const LIST_CONDITIONS = ['brandIds', 'creatorIds', 'userIds'];

/** The editor's values for a flag (a new flag when null). */
export function toForm(flag) {
  const c = (flag && flag.conditions) || {};
  return {
    name: flag ? flag.name : '',
    description: flag && flag.description ? flag.description : '',
    enabled: flag ? !!flag.enabled : false,
    rolloutPercentage: flag ? String(flag.rolloutPercentage) : '0',
    userRoles: c.userRoles ? c.userRoles.slice() : [],
    brandIds: (c.brandIds || []).join('\n'),
    creatorIds: (c.creatorIds || []).join('\n'),
    userIds: (c.userIds || []).join('\n'),
    customConditions: Object.entries(c.customConditions || {}).map(([k, v]) => k + '=' + v).join('\n')
  };
}

function splitList(text) {
  return text.split(/[\n,]/).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** "true"/"false"/numbers typed, anything else text: the custom condition values the API accepts. */
function typed(value) {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

/**
 * The conditions the editor's values describe. A list whose text the admin did not touch keeps its original
 * value exactly (a present but empty list, which matches nobody, survives an edit of another field).
 * Returns null when no condition is set.
 */
export function conditionsOf(values, original) {
  const before = original || {};
  const initial = toForm({ conditions: before, rolloutPercentage: 0 });
  const out = {};
  if (values.userRoles.length) {
    out.userRoles = sameList(values.userRoles, before.userRoles) ? before.userRoles : values.userRoles.slice().sort();
  }
  else if (before.userRoles && sameList(before.userRoles, [])) out.userRoles = [];
  for (const key of LIST_CONDITIONS) {
    if (values[key] === initial[key] && before[key] !== undefined) out[key] = before[key];
    else if (splitList(values[key]).length) out[key] = splitList(values[key]);
  }
  if (values.customConditions === initial.customConditions && before.customConditions !== undefined) {
    out.customConditions = before.customConditions;
  } else {
    const custom = {};
    for (const line of values.customConditions.split('\n').map((l) => l.trim()).filter(Boolean)) {
      const at = line.indexOf('=');
      // A line without "=" is sent as is, so the API names it in its answer.
      if (at < 0) custom[line] = '';
      else custom[line.slice(0, at).trim()] = typed(line.slice(at + 1).trim());
    }
    if (Object.keys(custom).length) out.customConditions = custom;
  }
  return Object.keys(out).length ? out : null;
}

/** Deep equality of JSON values, ignoring member order. */
export function same(a, b) {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((v, i) => same(v, b[i]));
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => same(a[k], b[k]));
}

function sameList(a, b) {
  return same((a || []).slice().sort(), (b || []).slice().sort());
}

/**
 * The request body for the editor's values: everything for a new flag; for an existing one only the fields
 * that differ from it (a PATCH changing nothing is refused by the API, so an empty object means "nothing to save").
 * The rollout is sent as typed, so a bad value reaches the API and its answer names the field.
 */
export function bodyOf(values, flag) {
  const rollout = values.rolloutPercentage.trim() === '' ? null : Number(values.rolloutPercentage);
  const body = {
    name: values.name.trim(),
    description: values.description === '' ? null : values.description,
    enabled: values.enabled,
    rolloutPercentage: Number.isFinite(rollout) ? rollout : values.rolloutPercentage,
    conditions: conditionsOf(values, flag ? flag.conditions : null)
  };
  if (!flag) {
    if (body.conditions === null) delete body.conditions;
    if (body.description === null) delete body.description;
    return body;
  }
  const patch = {};
  for (const [key, value] of Object.entries(body)) {
    const was = flag[key] === undefined ? null : flag[key];
    if (!same(value, was)) patch[key] = value;
  }
  return patch;
}

/** Flags the list filters keep: text in name or description, on/off, unchanged for at least N days. */
export function filter(flags, { text, state, staleDays }, now = Date.now()) {
  const needle = (text || '').trim().toLowerCase();
  const days = staleDays === '' || staleDays === null || staleDays === undefined ? null : Number(staleDays);
  return flags.filter((f) => {
    if (needle && !(f.name.includes(needle) || (f.description || '').toLowerCase().includes(needle))) return false;
    if (state === 'on' && !f.enabled) return false;
    if (state === 'off' && f.enabled) return false;
    if (days !== null && Number.isFinite(days) && now - new Date(f.updatedAt).getTime() < days * 86400000) return false;
    return true;
  });
}

/** A short description of a flag's targeting, e.g. "roles CREATOR · 2 brands · 1 user". */
export function targetingSummary(flag) {
  const c = flag.conditions;
  if (!c) return 'everyone';
  const parts = [];
  if (c.userRoles) parts.push(c.userRoles.length ? 'roles ' + c.userRoles.join(', ') : 'no role');
  const count = (list, one, many) => list && parts.push(list.length + ' ' + (list.length === 1 ? one : many));
  count(c.brandIds, 'brand', 'brands');
  count(c.creatorIds, 'creator', 'creators');
  count(c.userIds, 'listed user', 'listed users');
  if (c.customConditions) parts.push(Object.keys(c.customConditions).map((k) => k + '=' + c.customConditions[k]).join(', '));
  return parts.length ? parts.join(' · ') : 'everyone';
}

const READ_ONLY = new Set(['id', 'createdBy', 'updatedBy', 'createdAt', 'updatedAt']);

/**
 * Flattens a JSON value into {"a.b": leaf} paths; arrays are leaves (shown whole). Null is left out like an
 * absent member (the API writes "no conditions" as null), so it shows as "—".
 */
function flatten(value, prefix, out) {
  if (value === null) return out;
  if (typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? prefix + '.' + k : k, out);
    if (prefix && Object.keys(value).length === 0) out[prefix] = {};
  } else if (prefix) {
    out[prefix] = value;
  }
  return out;
}

/**
 * The before/after diff of one audit entry: [{field, before, after}] for every changed field, bookkeeping
 * fields left out. A create lists every field with before undefined; a delete every field with after undefined.
 */
export function auditDiff(entry) {
  const before = flatten(entry.before || {}, '', {});
  const after = flatten(entry.after || {}, '', {});
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((f) => !READ_ONLY.has(f.split('.')[0]))
    .sort();
  return fields
    .filter((f) => !same(before[f] === undefined ? undefined : before[f], after[f] === undefined ? undefined : after[f]))
    .map((f) => ({ field: f, before: before[f], after: after[f] }));
}

/** A JSON value as the console prints it. */
export function display(value) {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
