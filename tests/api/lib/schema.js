// schema.js — checks a JSON value against the JSON Schema (2020-12) keywords docs/openapi.yaml
// uses: $ref (local), allOf, type (incl. ['string','null']), const, enum, required, properties,
// additionalProperties, items, pattern, minimum, maximum, minLength, maxLength. Unknown keywords
// throw, so that the doc cannot silently outgrow the checker.

const KNOWN = new Set(['$ref', 'allOf', 'type', 'const', 'enum', 'required', 'properties', 'additionalProperties', 'items', 'pattern', 'minimum', 'maximum', 'minLength', 'maxLength',
  // annotations only
  'description', 'examples', 'example', 'format', 'default', 'title', 'deprecated', 'readOnly', 'writeOnly']);

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (Number.isInteger(v)) return 'integer';
  return typeof v; // string, number, boolean, object
}

function typeOk(v, t) {
  const got = typeOf(v);
  return got === t || (t === 'number' && got === 'integer');
}

/** Resolve "#/components/schemas/X" against the whole document. */
export function resolveRef(doc, ref) {
  if (!ref.startsWith('#/')) throw new Error(`only local $ref: ${ref}`);
  let node = doc;
  for (const part of ref.slice(2).split('/')) {
    node = node?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
    if (node === undefined) throw new Error(`$ref target missing: ${ref}`);
  }
  return node;
}

/** Property names a schema declares, through $ref and allOf. */
function declared(doc, schema, out = new Set()) {
  if (schema.$ref) declared(doc, resolveRef(doc, schema.$ref), out);
  for (const s of schema.allOf || []) declared(doc, s, out);
  for (const k of Object.keys(schema.properties || {})) out.add(k);
  return out;
}

/**
 * Errors (strings with JSON paths) of value against schema; [] when it conforms. With
 * opts.strict, an object may carry only properties its schema declares (so that every field a
 * reply carries is documented).
 */
export function validate(doc, schema, value, path = '$', errors = [], opts = {}, inner = false) {
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) throw new Error(`schema keyword not supported by the checker: ${k} at ${path}`);
  if (schema.$ref) validate(doc, resolveRef(doc, schema.$ref), value, path, errors, opts, true);
  for (const s of schema.allOf || []) validate(doc, s, value, path, errors, opts, true);
  if (opts.strict && !inner && value && typeof value === 'object' && !Array.isArray(value)) {
    const names = declared(doc, schema);
    if (names.size) for (const k of Object.keys(value)) if (!names.has(k)) errors.push(`${path}: property ${k} is not documented`);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeOk(value, t))) {
      errors.push(`${path}: expected ${types.join('|')}, got ${typeOf(value)} ${JSON.stringify(value)?.slice(0, 80)}`);
      return errors;
    }
  }
  if ('const' in schema && JSON.stringify(value) !== JSON.stringify(schema.const)) errors.push(`${path}: expected ${JSON.stringify(schema.const)}, got ${JSON.stringify(value)}`);
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) errors.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    const len = [...value].length;
    if (schema.minLength !== undefined && len < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && len > schema.maxLength) errors.push(`${path}: longer than ${schema.maxLength}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: above ${schema.maximum}`);
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const r of schema.required || []) if (!Object.hasOwn(value, r)) errors.push(`${path}: missing required ${r}`);
    const props = schema.properties || {};
    for (const [k, v] of Object.entries(value)) {
      if (props[k]) validate(doc, props[k], v, `${path}.${k}`, errors, opts);
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property ${k}`);
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, k) => validate(doc, schema.items, v, `${path}[${k}]`, errors, opts));
  return errors;
}
