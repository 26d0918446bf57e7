// The typed flag model (issue 14) as the console edits it: pure functions between the API's JSON (type,
// variants, rules with constraints and segments, dependencies, default variant; segments) and the editor's
// state, whose members are the texts the admin typed. No DOM here.
//
// The editor sends what it reads back; the API checks it and names the field path of anything wrong
// (e.g. rules[0].constraints[1].value), which the console shows beside that field. The only check made here is
// the one the API cannot make: a json variant value that is not JSON at all.

export const TYPES = ['boolean', 'string', 'number', 'json'];

export const OPERATORS = ['IN', 'NOT_IN', 'STR_CONTAINS', 'STR_STARTS_WITH', 'STR_ENDS_WITH',
  'NUM_EQ', 'NUM_GT', 'NUM_GTE', 'NUM_LT', 'NUM_LTE', 'DATE_AFTER', 'DATE_BEFORE',
  'SEMVER_EQ', 'SEMVER_GT', 'SEMVER_GTE', 'SEMVER_LT', 'SEMVER_LTE', 'REGEX', 'IN_CIDR'];

/** Operators that read one `value`; the others read `values` (any of them). */
const SINGLE = new Set(['NUM_EQ', 'NUM_GT', 'NUM_GTE', 'NUM_LT', 'NUM_LTE', 'DATE_AFTER', 'DATE_BEFORE',
  'SEMVER_EQ', 'SEMVER_GT', 'SEMVER_GTE', 'SEMVER_LT', 'SEMVER_LTE']);
export const singleValue = (operator) => SINGLE.has(operator);

/** Context fields the evaluator knows; anything else is a custom property. */
export const CONTEXT_FIELDS = ['userId', 'role', 'brandId', 'creatorId', 'sessionId', 'remoteAddress',
  'environment', 'appName', 'currentTime'];

/** A local problem with the admin's input, shown beside `field` like an API error. */
export class InputError extends Error {
  constructor(field, message) {
    super(field + ' ' + message);
    this.field = field;
  }
}

// ---- values of the flag's type --------------------------------------------------

export function valueText(value, type) {
  if (value === undefined || value === null) return '';
  if (type === 'json' || typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The typed value of a text; text the type cannot read is sent as it is, so the API names the field. */
export function parseValue(text, type, field) {
  const t = text.trim();
  if (type === 'boolean') return t === 'true' ? true : t === 'false' ? false : text;
  if (type === 'number') return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t) ? Number(t) : text;
  if (type === 'json') {
    if (t === '') return null;
    try {
      return JSON.parse(t);
    } catch (e) {
      throw new InputError(field, 'is not valid JSON');
    }
  }
  return text;
}

function number(text) {
  const t = String(text).trim();
  if (t === '') return null;
  return /^-?\d+$/.test(t) ? Number(t) : text;     // anything else reaches the API, which names the field
}

const lines = (text) => text.split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
const commas = (text) => text.split(/[\n,]/).map((s) => s.trim()).filter((s) => s.length > 0);

// ---- state from JSON ----------------------------------------------------------------

export function constraintState(c = {}) {
  return {
    contextName: c.contextName || '',
    operator: c.operator || 'IN',
    values: (c.values || []).join('\n'),
    value: c.value === undefined || c.value === null ? '' : String(c.value),
    inverted: !!c.inverted,
    caseInsensitive: !!c.caseInsensitive
  };
}

export function variantState(v = {}, type = 'boolean') {
  return {
    name: v.name || '',
    value: valueText(v.value, type),
    weight: v.weight === undefined || v.weight === null ? '' : String(v.weight),
    stickiness: v.stickiness || '',
    overrides: (v.overrides || []).map(overrideState)
  };
}

/** A variant override: this variant for everyone whose context field is one of the values. */
export function overrideState(o = {}) {
  return { contextName: o.contextName || '', values: (o.values || []).join('\n') };
}

export function ruleState(r = {}, type = 'boolean') {
  return {
    constraints: (r.constraints || []).map(constraintState),
    segments: (r.segments || []).slice(),
    rolloutPercentage: r.rolloutPercentage === undefined || r.rolloutPercentage === null ? '' : String(r.rolloutPercentage),
    groupId: r.groupId || '',
    stickiness: r.stickiness || '',
    variants: (r.variants || []).map((v) => variantState(v, type))
  };
}

export function dependencyState(d = {}) {
  return { flag: d.flag || '', enabled: d.enabled !== false, variants: (d.variants || []).join(', ') };
}

/** The editor's state for a flag (a new one when null). */
export function flagState(flag) {
  const type = (flag && flag.type) || 'boolean';
  const dv = flag && flag.defaultVariant;
  return {
    type,
    usesRules: !!(flag && Array.isArray(flag.rules)),
    rules: flag && Array.isArray(flag.rules) ? flag.rules.map((r) => ruleState(r, type)) : [],
    variants: ((flag && flag.variants) || []).map((v) => variantState(v, type)),
    defaultName: dv ? dv.name || '' : '',
    defaultValue: dv ? valueText(dv.value, type) : '',
    dependencies: ((flag && flag.dependencies) || []).map(dependencyState)
  };
}

// ---- JSON from state -------------------------------------------------------------------

export function constraintJson(c, field) {
  const single = singleValue(c.operator);
  return {
    contextName: c.contextName.trim(),
    operator: c.operator,
    values: single ? [] : lines(c.values),
    value: single ? c.value.trim() || null : null,       // empty is absent: the API says it is required
    inverted: !!c.inverted,
    caseInsensitive: !!c.caseInsensitive
  };
}

export function constraintsJson(list, field) {
  return list.map((c, i) => constraintJson(c, field + '[' + i + ']'));
}

export function variantJson(v, type, field) {
  const weight = number(v.weight);
  return {
    name: v.name.trim(),
    value: parseValue(v.value, type, field + '.value'),
    weight: weight === null ? v.weight : weight,
    stickiness: v.stickiness.trim() || null,
    overrides: v.overrides.map((o) => ({ contextName: o.contextName.trim(), values: lines(o.values) }))
  };
}

export function ruleJson(r, type, field) {
  return {
    constraints: constraintsJson(r.constraints, field + '.constraints'),
    segments: r.segments.slice(),
    rolloutPercentage: number(r.rolloutPercentage),
    groupId: r.groupId.trim() || null,
    stickiness: r.stickiness.trim() || null,
    variants: r.variants.map((v, i) => variantJson(v, type, field + '.variants[' + i + ']'))
  };
}

/**
 * The members of the typed model the state describes: {type, variants, rules (null: simple targeting),
 * dependencies, defaultVariant}. Throws InputError for a json value that is not JSON.
 */
export function modelJson(s) {
  const type = s.type;
  const dvEmpty = s.defaultName.trim() === '' && s.defaultValue.trim() === '';
  return {
    type,
    variants: s.variants.map((v, i) => variantJson(v, type, 'variants[' + i + ']')),
    rules: s.usesRules ? s.rules.map((r, i) => ruleJson(r, type, 'rules[' + i + ']')) : null,
    dependencies: s.dependencies.filter((d) => d.flag.trim() !== '' || d.variants.trim() !== '').map((d) => ({
      flag: d.flag.trim(), enabled: !!d.enabled, variants: d.enabled ? commas(d.variants) : []
    })),
    defaultVariant: dvEmpty ? null
      : { name: s.defaultName.trim(), value: parseValue(s.defaultValue, type, 'defaultVariant.value') }
  };
}

const NEW_FLAG_DEFAULTS = { type: 'boolean', variants: [], rules: null, dependencies: [], defaultVariant: null };

/**
 * What to send of the typed model: for a new flag the members that differ from a plain boolean flag; for an
 * existing one the members that differ from what the editor was filled with (`initial`, modelJson of the state
 * the flag gave). Equality is deep (`same`).
 */
export function modelPatch(current, initial, same) {
  const base = initial || NEW_FLAG_DEFAULTS;
  const out = {};
  for (const key of Object.keys(NEW_FLAG_DEFAULTS)) {
    if (!same(current[key], base[key])) out[key] = current[key];
  }
  return out;
}

/** A short description of a flag's rules, e.g. "2 rules · 3 variants · needs parent-flag". */
export function rulesSummary(flag) {
  const parts = [];
  const count = (n, one, many) => parts.push(n + ' ' + (n === 1 ? one : many));
  if (Array.isArray(flag.rules)) count(flag.rules.length, 'rule', 'rules');
  const variants = flag.variants || [];
  if (variants.length) count(variants.length, 'variant', 'variants');
  for (const d of flag.dependencies || []) parts.push((d.enabled === false ? 'needs ' + d.flag + ' off' : 'needs ' + d.flag));
  if (flag.type && flag.type !== 'boolean') parts.unshift(flag.type);
  return parts.join(' · ');
}

/** A constraint as one line of text, e.g. "plan IN pro, team" or "NOT appVersion SEMVER_GTE 2.0.0". */
export function constraintText(c) {
  const operand = singleValue(c.operator) ? (c.value || '') : (c.values || []).join(', ');
  return (c.inverted ? 'NOT ' : '') + c.contextName + ' ' + c.operator + ' ' + operand
    + (c.caseInsensitive ? ' (any case)' : '');
}

/** A segment's state and JSON (name, description, constraints). */
export function segmentState(s) {
  return {
    name: s ? s.name : '',
    description: s && s.description ? s.description : '',
    constraints: ((s && s.constraints) || []).map(constraintState)
  };
}

export function segmentJson(s) {
  return {
    name: s.name.trim(),
    description: s.description === '' ? null : s.description,
    constraints: constraintsJson(s.constraints, 'constraints')
  };
}
