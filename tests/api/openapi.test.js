// openapi.test.js — docs/openapi.yaml describes every route of the route table, and the server
// serves exactly that file at /api/v1/openapi.yaml.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { api, BIN } from './lib/client.js';

const YAML_PATH = new URL('../../docs/openapi.yaml', import.meta.url);
const yamlText = readFileSync(YAML_PATH, 'utf8');
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

/**
 * A minimal reader of the `paths:` section: path keys are indented by 2 spaces, operations by 4
 * (the layout docs/openapi.yaml uses). Returns Map path → Map method → operation lines.
 */
function yamlPaths(text) {
  const lines = text.split('\n');
  const paths = new Map();
  let inPaths = false, path = null, op = null;
  for (const raw of lines) {
    const line = raw.replace(/\s+$/, '');
    if (!line || /^\s*#/.test(line)) continue;
    if (/^\S/.test(line)) {
      inPaths = line === 'paths:';
      path = op = null;
      continue;
    }
    if (!inPaths) continue;
    let m = line.match(/^ {2}(['"]?)(\/[^'":]*)\1:\s*$/);
    if (m) {
      path = m[2];
      assert.ok(!paths.has(path), `path ${path} listed twice`);
      paths.set(path, new Map());
      op = null;
      continue;
    }
    m = line.match(/^ {4}([a-z]+):\s*$/);
    if (m && path) {
      if (METHODS.includes(m[1])) {
        op = m[1];
        assert.ok(!paths.get(path).has(op), `${op} ${path} listed twice`);
        paths.get(path).set(op, []);
      } else op = null; // path-level keys such as parameters:
      continue;
    }
    if (op && /^ {6}/.test(line)) paths.get(path).get(op).push(line);
  }
  return paths;
}

test('docs/openapi.yaml is OpenAPI 3.1 with cookie and bearer security', () => {
  assert.match(yamlText, /^openapi: 3\.1\.\d+$/m);
  assert.match(yamlText, /^info:\n(?: {2}.*\n)*? {2}title: /m);
  assert.match(yamlText, /^ {4}bearerAuth:\n(?: {6}.*\n)*? {6}scheme: bearer/m);
  assert.match(yamlText, /^ {4}cookieAuth:\n(?: {6}.*\n)*? {6}in: cookie/m);
  assert.match(yamlText, /^ {6}name: jiceng_session$/m);
  assert.match(yamlText, /^ {4}Error:$/m, 'components.schemas.Error exists');
});

test('every route of `jiceng routes` is in docs/openapi.yaml with its method', () => {
  const routes = routeTable();
  assert.ok(routes.length >= 20, `route table read (${routes.length} routes)`);
  const paths = yamlPaths(yamlText);
  const missing = routes.filter((r) => !paths.get(r.path)?.has(r.method)).map((r) => `${r.method.toUpperCase()} ${r.path}`);
  assert.deepEqual(missing, [], 'routes missing from openapi.yaml');
});

test('docs/openapi.yaml names no operation the server does not have', () => {
  const have = new Set(routeTable().map((r) => `${r.method} ${r.path}`));
  const extra = [];
  for (const [path, ops] of yamlPaths(yamlText)) for (const m of ops.keys()) if (!have.has(`${m} ${path}`)) extra.push(`${m.toUpperCase()} ${path}`);
  assert.deepEqual(extra, [], 'operations in openapi.yaml without a route');
});

test('every operation has an operationId, a summary and responses; ids are unique', () => {
  const ids = new Set();
  for (const [path, ops] of yamlPaths(yamlText))
    for (const [m, lines] of ops) {
      const where = `${m.toUpperCase()} ${path}`;
      const id = lines.map((l) => l.match(/^ {6}operationId: (\S+)$/)).find(Boolean);
      assert.ok(id, `${where}: operationId`);
      assert.ok(!ids.has(id[1]), `${where}: operationId ${id[1]} unique`);
      ids.add(id[1]);
      assert.ok(lines.some((l) => /^ {6}summary: \S/.test(l)), `${where}: summary`);
      assert.ok(lines.some((l) => /^ {6}responses:$/.test(l)), `${where}: responses`);
      // Path parameters are declared.
      for (const p of path.matchAll(/\{(\w+)\}/g))
        assert.ok(lines.some((l) => l.includes(`$ref: '#/components/parameters/${p[1]}`)) || lines.some((l) => new RegExp(`name: ${p[1]}$`).test(l)), `${where}: parameter ${p[1]} declared`);
    }
});

test('GET /api/v1/openapi.yaml serves docs/openapi.yaml byte for byte, without signing in', async () => {
  const r = await api('GET', '/api/v1/openapi.yaml');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') || '', /yaml/);
  assert.equal(r.text, yamlText);
});
