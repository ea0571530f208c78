// openapi.test.js — docs/openapi.yaml is real YAML and OpenAPI 3.1 whose schemas Ajv compiles in
// strict mode, describes every route of the route table, and the server serves exactly that file
// at /api/v1/openapi.yaml.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, BIN } from './lib/client.js';
import { doc, docText, resolveRef, schemaProblems, allSchemas } from './lib/openapi.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** `jiceng routes`: one "METHOD PATH" per line. */
function routeTable() {
  const out = execFileSync(BIN, ['routes'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [method, path] = l.split(/\s+/);
      return { method: method.toLowerCase(), path };
    });
}

/** Every operation of the doc as [path, method, operation, path item]. */
function operations() {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).filter(([m]) => METHODS.includes(m)).map(([m, op]) => [path, m, op, item]));
}

test('docs/openapi.yaml is OpenAPI 3.1 with cookie and bearer security', () => {
  assert.match(doc.openapi, /^3\.1\.\d+$/);
  assert.ok(doc.info?.title, 'info.title');
  const sec = doc.components?.securitySchemes || {};
  assert.equal(sec.bearerAuth?.type, 'http');
  assert.equal(sec.bearerAuth?.scheme, 'bearer');
  assert.equal(sec.cookieAuth?.type, 'apiKey');
  assert.equal(sec.cookieAuth?.in, 'cookie');
  assert.equal(sec.cookieAuth?.name, 'jiceng_session');
  assert.ok(doc.components?.schemas?.Error, 'components.schemas.Error exists');
});

test('every schema in docs/openapi.yaml compiles with Ajv (JSON Schema 2020-12, strict mode)', () => {
  assert.ok(allSchemas().length > 100, `schemas found (${allSchemas().length})`);
  assert.deepEqual(schemaProblems(), []);
});

test('every $ref in docs/openapi.yaml points at something', () => {
  const missing = [];
  const walk = (node) => {
    if (!node || typeof node !== 'object') return;
    if (typeof node.$ref === 'string')
      try {
        resolveRef(node.$ref);
      } catch (e) {
        missing.push(e.message);
      }
    Object.values(node).forEach(walk);
  };
  walk(doc);
  assert.deepEqual(missing, []);
});

test('every route of `jiceng routes` is in docs/openapi.yaml with its method', () => {
  const routes = routeTable();
  assert.ok(routes.length >= 20, `route table read (${routes.length} routes)`);
  const missing = routes.filter((r) => !doc.paths[r.path]?.[r.method]).map((r) => `${r.method.toUpperCase()} ${r.path}`);
  assert.deepEqual(missing, [], 'routes missing from openapi.yaml');
});

test('docs/openapi.yaml names no operation the server does not have', () => {
  const have = new Set(routeTable().map((r) => `${r.method} ${r.path}`));
  const extra = operations().filter(([path, m]) => !have.has(`${m} ${path}`)).map(([path, m]) => `${m.toUpperCase()} ${path}`);
  assert.deepEqual(extra, [], 'operations in openapi.yaml without a route');
});

test('every operation has an operationId, a summary and responses; ids are unique', () => {
  const ids = new Set();
  for (const [path, m, op, item] of operations()) {
    const where = `${m.toUpperCase()} ${path}`;
    assert.match(op.operationId || '', /^\S+$/, `${where}: operationId`);
    assert.ok(!ids.has(op.operationId), `${where}: operationId ${op.operationId} unique`);
    ids.add(op.operationId);
    assert.match(op.summary || '', /\S/, `${where}: summary`);
    assert.ok(op.responses && Object.keys(op.responses).length, `${where}: responses`);
    // Path parameters are declared (on the operation or its path).
    const params = [...(item.parameters || []), ...(op.parameters || [])].map((p) => (p.$ref ? resolveRef(p.$ref) : p));
    for (const [, name] of path.matchAll(/\{(\w+)\}/g))
      assert.ok(params.some((p) => p.in === 'path' && p.name === name && p.required === true), `${where}: path parameter ${name} declared`);
  }
});

test('GET /api/v1/openapi.yaml serves docs/openapi.yaml byte for byte, without signing in', async () => {
  const r = await api('GET', '/api/v1/openapi.yaml');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') || '', /yaml/);
  assert.equal(r.text, docText);
});
