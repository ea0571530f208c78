// client.js — the small HTTP client every API test uses (built-in fetch, no dependencies).
//
// Environment (set by scripts/test): JICENG_TEST_URL base URL of the running server,
// JICENG_BIN absolute path of the binary, JICENG_TEST_DATA the server's data dir,
// JICENG_TEST_DB PostgreSQL URL or empty for SQLite, JICENG_TEST_WORK a scratch dir.
import assert from 'node:assert/strict';

export const BASE = (process.env.JICENG_TEST_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const BIN = process.env.JICENG_BIN || 'build/jiceng';
export const DATA = process.env.JICENG_TEST_DATA || '';
export const DB = process.env.JICENG_TEST_DB || '';
export const WORK = process.env.JICENG_TEST_WORK || '';

/** The password of every demo account. */
export const DEMO_PW = 'Jiceng@2026';

/** Any Chinese character: messages meant for people must contain one. */
export const HAN = /[\u4e00-\u9fff]/;

/**
 * One request. body: an object (sent as JSON), a string or a Buffer (sent as is).
 * Returns {status, json, text, headers}; json is null when the body is not JSON.
 */
export async function api(method, path, { token, body, cookie, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (cookie) h.cookie = cookie;
  let payload;
  if (body !== undefined) {
    if (typeof body === 'string' || Buffer.isBuffer(body)) payload = body;
    else payload = JSON.stringify(body);
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
      h['content-type'] = 'application/json';
  }
  const res = await fetch(BASE + path, { method, headers: h, body: payload, redirect: 'manual' });
  const text = await res.text();
  let json = null;
  if (text && (res.headers.get('content-type') || '').includes('json')) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  return { status: res.status, json, text, headers: res.headers };
}

/** Sign in and return the whole response. */
export function loginRaw(username, password) {
  return api('POST', '/api/v1/auth/login', { body: { username, password } });
}

/** Sign in; fails the test unless it works. Returns the bearer token. */
export async function login(username, password = DEMO_PW) {
  const r = await loginRaw(username, password);
  assert.equal(r.status, 200, `login ${username}: ${r.text}`);
  assert.ok(r.json.token, 'login returns a token');
  return r.json.token;
}

const demoTokens = new Map();
/** Token of a demo account ("duolun.admin"), signed in once per test file. */
export async function demo(username) {
  if (!demoTokens.has(username)) demoTokens.set(username, await login(username, DEMO_PW));
  return demoTokens.get(username);
}

/**
 * Assert an error reply: status, {error:{code,message[,field]}}, and a Chinese message for
 * every 4xx meant for people. Returns the error object.
 */
export function assertError(r, status, code, field) {
  assert.equal(r.status, status, `expected ${status} ${code ?? ''}, got ${r.status}: ${r.text}`);
  assert.ok(r.json && typeof r.json === 'object', `error body is JSON: ${r.text}`);
  const e = r.json.error;
  assert.ok(e && typeof e === 'object', `body has error object: ${r.text}`);
  assert.equal(typeof e.code, 'string');
  assert.ok(e.code.length > 0, 'error code not empty');
  assert.equal(typeof e.message, 'string');
  assert.match(e.message, HAN, `message in Chinese: ${e.message}`);
  if (code !== undefined) assert.equal(e.code, code, `error code: ${r.text}`);
  if (field !== undefined) assert.equal(e.field, field, `error field: ${r.text}`);
  return e;
}

let seq = 0;
/** A username nobody has used yet: lower-case letters, digits, '.', 3–32 chars. */
export function uniqueName(prefix = 't') {
  seq += 1;
  const t = Date.now().toString(36);
  const r = Math.floor(Math.random() * 36 ** 4).toString(36);
  return `${prefix}.${t}${r}${seq}`.slice(0, 32);
}

/** A password that meets the policy and is unique per call. */
export function strongPassword() {
  return `Tt9!${Math.random().toString(36).slice(2, 10)}Q`;
}

/**
 * Create an account through the API as `adminToken` (e.g. duolun.admin). With activate (the
 * default) it also signs in with the initial password and changes it, so the account is ready.
 * Returns {id, username, user, initial_password, password, token}.
 */
/**
 * Sign in as an existing account of the admin's scope (e.g. the grid worker a case was given to):
 * the admin resets its password, then the password is changed as the forced change requires.
 */
export async function tokenFor(adminToken, userId) {
  const r = await api('POST', `/api/v1/users/${userId}/reset-password`, { token: adminToken });
  assert.equal(r.status, 200, `reset ${userId}: ${r.text}`);
  const u = await api('GET', `/api/v1/users?limit=200&q=`, { token: adminToken });
  let username = (u.json.items || []).find((x) => x.id === userId)?.username;
  if (!username) {
    let cursor = u.json.next_cursor;
    while (!username && cursor) {
      const p = await api('GET', `/api/v1/users?limit=200&cursor=${cursor}`, { token: adminToken });
      username = p.json.items.find((x) => x.id === userId)?.username;
      cursor = p.json.next_cursor;
    }
  }
  assert.ok(username, `account ${userId} in the admin's scope`);
  const t = await login(username, r.json.initial_password);
  const c = await api('POST', '/api/v1/auth/password', { token: t, body: { old_password: r.json.initial_password, new_password: strongPassword() } });
  assert.equal(c.status, 204, c.text);
  return t;
}

export async function createAccount(adminToken, { role = 'grid_worker', scope_code = '15253120220601', name = '测试账号', username, activate = true, prefix = 't', department } = {}) {
  username = username || uniqueName(prefix);
  const body = { username, name, role, scope_code };
  if (department) body.department = department;
  const r = await api('POST', '/api/v1/users', { token: adminToken, body });
  assert.equal(r.status, 201, `create ${username}: ${r.text}`);
  const out = { id: r.json.user.id, username, user: r.json.user, initial_password: r.json.initial_password, password: r.json.initial_password, token: null };
  if (activate) {
    const t = await login(username, out.initial_password);
    const pw = strongPassword();
    const c = await api('POST', '/api/v1/auth/password', { token: t, body: { old_password: out.initial_password, new_password: pw } });
    assert.equal(c.status, 204, `change password of ${username}: ${c.text}`);
    out.password = pw;
    out.token = t;
  }
  return out;
}

/** GB 11643-1999 check character of the first 17 digits. */
export function idCheckChar(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * w[i];
  return '10X98765432'[s % 11];
}

/** Whether id is a valid 18-character resident ID (format, real date, check character). */
export function validResidentId(id) {
  if (typeof id !== 'string' || !/^\d{17}[\dX]$/.test(id)) return false;
  const y = +id.slice(6, 10), m = +id.slice(10, 12), d = +id.slice(12, 14);
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return false;
  return idCheckChar(id) === id[17];
}

/**
 * A fresh valid resident ID. The address code defaults to 110105 (北京市朝阳区), which the demo
 * seeder never uses, and birth date and sequence are random, so IDs do not collide.
 */
export function makeResidentId(addr6 = '110105', birth) {
  if (!birth) {
    const d = new Date(Date.UTC(1940, 0, 1) + Math.floor(Math.random() * 60 * 365.25) * 86400000);
    birth = d.toISOString().slice(0, 10).replaceAll('-', '');
  }
  const seq = String(Math.floor(Math.random() * 1000)).padStart(3, '0');
  const first17 = addr6 + birth + seq;
  return first17 + idCheckChar(first17);
}

/** Walk a JSON value and return every key path whose key matches re. */
export function keysMatching(value, re, path = '$') {
  const out = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...keysMatching(v, re, `${path}[${i}]`)));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if (re.test(k)) out.push(`${path}.${k}`);
      out.push(...keysMatching(v, re, `${path}.${k}`));
    }
  return out;
}
