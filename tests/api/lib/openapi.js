// openapi.js — docs/openapi.yaml for the tests, read and checked by libraries: the `yaml` package
// parses it (strict, duplicate keys refused, any warning an error) and Ajv checks replies against
// its schemas as JSON Schema 2020-12 (the dialect of OpenAPI 3.1), in strict mode: a keyword,
// format or `required` name Ajv does not know fails the compile instead of being skipped.
//
// Replies are checked with every object closed: an object schema that declares properties (its
// own, or through $ref, allOf, anyOf, oneOf) gets `unevaluatedProperties: false` where it is used,
// so a reply may carry only documented fields. It is added at the place of use, not inside the
// definitions, because a definition extended with allOf (Region = RegionBase + path) must leave
// room for what the extension adds.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const DOC_URL = new URL('../../../docs/openapi.yaml', import.meta.url);
export const docText = readFileSync(DOC_URL, 'utf8');

/** YAML text to plain values; throws on any error or warning (tabs, duplicate keys, bad escapes…). */
export function parseYamlStrict(text) {
  const d = parseDocument(text, { strict: true, uniqueKeys: true, prettyErrors: true });
  const problems = [...d.errors, ...d.warnings];
  if (problems.length) throw new Error(problems.map(String).join('\n'));
  return d.toJS();
}

/** docs/openapi.yaml as plain values. */
export const doc = parseYamlStrict(docText);

const SCHEMA_REF = '#/components/schemas/';

/** The node a local "#/…" reference points at in docs/openapi.yaml; throws if it is missing. */
export function resolveRef(ref) {
  if (!ref.startsWith('#/')) throw new Error(`only local $ref: ${ref}`);
  let node = doc;
  for (const part of ref.slice(2).split('/')) {
    node = node?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
    if (node === undefined) throw new Error(`$ref target missing: ${ref}`);
  }
  return node;
}

// JSON Schema 2020-12 subschema places. In-place applicators apply to the same instance (a
// schema there is part of its parent and is not closed on its own); the others hold a schema for
// a property, an item or a name.
const IN_PLACE_ONE = ['not', 'if', 'then', 'else'];
const IN_PLACE_LIST = ['allOf', 'anyOf', 'oneOf'];
const IN_PLACE_MAP = ['dependentSchemas'];
const VALUE_ONE = ['additionalProperties', 'items', 'contains', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties'];
const VALUE_LIST = ['prefixItems'];
const VALUE_MAP = ['properties', 'patternProperties'];

/** Whether a schema declares properties itself or through $ref, allOf, anyOf or oneOf. */
function declaresProperties(schema, seen = new Set()) {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return false;
  seen.add(schema);
  if (schema.properties) return true;
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith(SCHEMA_REF) && declaresProperties(resolveRef(schema.$ref), seen)) return true;
  return IN_PLACE_LIST.some((k) => (schema[k] || []).some((s) => declaresProperties(s, seen)));
}

/**
 * A copy of a schema of the doc that Ajv can compile on its own: "#/components/schemas/X"
 * becomes "openapi#/$defs/X" (see the root schema below). With closed, every object schema in a
 * value place that declares properties also gets unevaluatedProperties: false.
 */
function forAjv(schema, closed, inPlace = false) {
  if (typeof schema === 'boolean') return schema;
  const out = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$ref') {
      if (!v.startsWith(SCHEMA_REF)) throw new Error(`$ref in a schema must point into ${SCHEMA_REF}: ${v}`);
      out.$ref = `openapi#/$defs/${v.slice(SCHEMA_REF.length)}`;
    } else if (IN_PLACE_ONE.includes(k)) out[k] = forAjv(v, closed, true);
    else if (VALUE_ONE.includes(k)) out[k] = forAjv(v, closed);
    else if (IN_PLACE_LIST.includes(k)) out[k] = v.map((s) => forAjv(s, closed, true));
    else if (VALUE_LIST.includes(k)) out[k] = v.map((s) => forAjv(s, closed));
    else if (IN_PLACE_MAP.includes(k) || VALUE_MAP.includes(k))
      out[k] = Object.fromEntries(Object.entries(v).map(([n, s]) => [n, forAjv(s, closed, IN_PLACE_MAP.includes(k))]));
    else out[k] = v; // assertions and annotations (enum, const, examples…: data, copied as is)
  }
  if (closed && !inPlace && !('additionalProperties' in schema) && !('unevaluatedProperties' in schema) && declaresProperties(schema))
    out.unevaluatedProperties = false;
  return out;
}

/**
 * An Ajv for JSON Schema 2020-12 in strict mode, with the formats of ajv-formats (the doc uses
 * date, and OpenAPI's int64, password and binary). No OpenAPI keyword is added: inside a schema
 * the doc writes `examples` (2020-12), not OpenAPI's deprecated `example`. The closed copies put
 * unevaluatedProperties beside a bare $ref or oneOf, with no `type: object` there, which
 * strictTypes refuses: for them that one check is off (the doc as written is compiled with it
 * on, by schemaProblems).
 */
function newAjv(closed) {
  const ajv = new Ajv2020({ strict: true, strictTypes: !closed, allErrors: true });
  addFormats(ajv);
  return ajv;
}

/**
 * An Ajv holding components.schemas as the schema "openapi", one $defs entry each: as written, or
 * with the objects inside them closed.
 */
function ajvWithDoc(closed) {
  const ajv = newAjv(closed);
  const defs = Object.fromEntries(Object.entries(doc.components?.schemas || {}).map(([n, s]) => [n, forAjv(s, closed, true)]));
  ajv.addSchema({ $id: 'openapi', $defs: defs });
  return ajv;
}

/** Every schema of the doc, as [where, schema]: components.schemas, and each `schema:` of a parameter, body or response. */
export function allSchemas() {
  const out = Object.entries(doc.components?.schemas || {}).map(([n, s]) => [`${SCHEMA_REF}${n}`, s]);
  const walk = (node, where) => {
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'schema' && v && typeof v === 'object') out.push([`${where}/schema`, v]);
      else if (k !== 'schemas' || where !== '#/components') walk(v, `${where}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`);
    }
  };
  walk(doc.paths, '#/paths');
  walk(doc.components, '#/components');
  return out;
}

/** Compile every schema of the doc as written; returns "where: why" for each that Ajv refuses. */
export function schemaProblems() {
  const ajv = ajvWithDoc(false);
  const problems = [];
  for (const [where, s] of allSchemas()) {
    try {
      if (where.startsWith(SCHEMA_REF)) ajv.getSchema(`openapi#/$defs/${where.slice(SCHEMA_REF.length)}`);
      else ajv.compile(forAjv(s, false));
    } catch (e) {
      problems.push(`${where}: ${e.message}`);
    }
  }
  return problems;
}

let closedAjv = null;
const compiled = new Map(); // schema object (or "#/components/schemas/X") → Ajv validate function

/** Pointer parts of "/items/0/name". */
const parts = (pointer) => pointer.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));

/** Errors that show the value they are about: "must be integer, got "12"". */
const SHOW_VALUE = new Set(['type', 'format', 'pattern', 'enum', 'const', 'minimum', 'maximum', 'minLength', 'maxLength']);

/**
 * Errors of a reply body against a schema, as "$.path: message" strings; [] when it conforms.
 * schema: a schema object (from docs/openapi.yaml, e.g. a response's content schema, or a test's
 * own) or a "#/components/schemas/X" reference. Objects are closed (see the top of this file):
 * a property the schema does not declare is an error.
 */
export function validateReply(schema, value) {
  closedAjv ??= ajvWithDoc(true);
  let check = compiled.get(schema);
  if (!check) {
    if (typeof schema === 'string') resolveRef(schema); // throws if the doc has no such schema
    check = closedAjv.compile(forAjv(typeof schema === 'string' ? { $ref: schema } : schema, true));
    compiled.set(schema, check);
  }
  if (check(value)) return [];
  return check.errors.map((e) => {
    const path = parts(e.instancePath);
    const at = '$' + path.map((k) => (/^\d+$/.test(k) ? `[${k}]` : `.${k}`)).join('');
    if (e.keyword === 'unevaluatedProperties') return `${at}: property ${e.params.unevaluatedProperty} is not documented`;
    if (e.keyword === 'additionalProperties') return `${at}: unexpected property ${e.params.additionalProperty}`;
    if (!SHOW_VALUE.has(e.keyword)) return `${at}: ${e.message}`;
    const got = path.reduce((v, k) => v?.[k], value);
    return `${at}: ${e.message}, got ${JSON.stringify(got)?.slice(0, 80)}`;
  });
}
