// accounts.js — a fresh account for a browser test's setup: made by a demo admin over the API,
// its first password already changed, called with its bearer token like apiAs() (browser.js).
import assert from 'node:assert/strict';
import { BASE } from './browser.js';

let seq = 0;

/**
 * A new account of `role` (e.g. department_staff of 城市管理局: {department: 'd06'}), made by
 * `admin` (apiAs of a county admin). Returns {username, password, user, get, post}.
 */
export async function freshAccount(admin, { role, scope_code, department, name = '测试账号', prefix = 'e2e' }) {
  seq += 1;
  const username = `${prefix}.${Date.now().toString(36)}${seq}`;
  const body = { username, name, role, scope_code };
  if (department) body.department = department;
  const r = await admin.post('/api/v1/users', body);
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const password = `Tt9!${Math.random().toString(36).slice(2, 10)}Q`;
  const l = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: r.json.initial_password }),
  });
  assert.equal(l.status, 200, `login ${username}`);
  const { token } = await l.json();
  const call = async (method, p, b) => {
    const res = await fetch(BASE + p, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(b ? { 'content-type': 'application/json' } : {}) },
      body: b ? JSON.stringify(b) : undefined,
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  const c = await call('POST', '/api/v1/auth/password', { old_password: r.json.initial_password, new_password: password });
  assert.equal(c.status, 204, JSON.stringify(c.json));
  return { username, password, user: r.json.user, get: (p) => call('GET', p), post: (p, b) => call('POST', p, b) };
}
