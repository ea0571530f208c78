// contract.test.js — real replies match docs/openapi.yaml: every status a call returns is
// documented for that operation, the content type is the documented one, and the body conforms
// to the documented schema, with no undocumented properties. People are created in 临河区
// (linhe.grid) so that the exact 多伦县 figures of registry.test.js hold.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, demo, createAccount, makeResidentId, uniqueName, strongPassword } from './lib/client.js';
import { doc as spec, resolveRef, validateReply } from './lib/openapi.js';
import { totpCode, stepOf, wrongCode } from './lib/totp.js';

function operation(method, template) {
  const op = spec.paths?.[template]?.[method.toLowerCase()];
  assert.ok(op, `${method} ${template} is in openapi.yaml`);
  return op;
}

/** Check one reply against the documented operation. */
function conforms(method, template, r) {
  const op = operation(method, template);
  let resp = op.responses?.[String(r.status)];
  assert.ok(resp, `${method} ${template}: status ${r.status} is documented (has ${Object.keys(op.responses || {}).join(', ')}) — ${r.text.slice(0, 200)}`);
  if (resp.$ref) resp = resolveRef(resp.$ref);
  if (!resp.content) {
    assert.equal(r.text, '', `${method} ${template} ${r.status}: documented without a body`);
    return;
  }
  const ctype = (r.headers.get('content-type') || '').split(';')[0].trim();
  assert.ok(resp.content[ctype], `${method} ${template} ${r.status}: content type ${ctype} documented (${Object.keys(resp.content)})`);
  if (ctype !== 'application/json') return;
  const errors = validateReply(resp.content[ctype].schema, r.json);
  assert.deepEqual(errors, [], `${method} ${template} ${r.status} body conforms`);
}

const ctx = {};
before(async () => {
  ctx.admin = await demo('duolun.admin');
  ctx.grid = await demo('duolun.grid');
  ctx.resident = await demo('duolun.resident');
  ctx.dept = await demo('duolun.dept');
  ctx.linhe = await demo('linhe.grid');
  ctx.linheGrid = (await api('GET', '/api/v1/auth/me', { token: ctx.linhe })).json.user.scope_code;
  const hh = await api('GET', '/api/v1/regions/15253120220601/households?limit=1', { token: ctx.grid });
  ctx.household = hh.json.items[0].id;
  ctx.person = (await api('GET', `/api/v1/households/${ctx.household}`, { token: ctx.grid })).json.members[0].id;
  ctx.linheHousehold = (await api('GET', `/api/v1/regions/${ctx.linheGrid}/households?limit=1`, { token: ctx.linhe })).json.items[0].id;
});

// [method, template, concrete path or (ctx)=>path, who (ctx key or null), body or (ctx)=>body]
const CALLS = [
  ['GET', '/healthz', '/healthz', null],
  ['GET', '/readyz', '/readyz', null],
  ['GET', '/metrics', '/metrics', null],
  ['GET', '/api/v1/openapi.yaml', '/api/v1/openapi.yaml', null],
  ['POST', '/api/v1/auth/login', '/api/v1/auth/login', null, { username: 'duolun.grid', password: 'Jiceng@2026' }],
  ['POST', '/api/v1/auth/login', '/api/v1/auth/login', null, { username: 'nobody.at.all', password: 'Jiceng@2026' }],
  ['POST', '/api/v1/auth/login', '/api/v1/auth/login', null, { username: 'a', password: 'b', extra: 1 }],
  ['POST', '/api/v1/auth/login', '/api/v1/auth/login', null, '{oops'],
  ['GET', '/api/v1/auth/me', '/api/v1/auth/me', 'admin'],
  ['GET', '/api/v1/auth/me', '/api/v1/auth/me', 'resident'],
  ['GET', '/api/v1/auth/me', '/api/v1/auth/me', null],
  ['POST', '/api/v1/auth/password', '/api/v1/auth/password', 'grid', { old_password: 'Jiceng@2026', new_password: 'short' }],
  ['POST', '/api/v1/auth/logout', '/api/v1/auth/logout', null],
  ['POST', '/api/v1/auth/login/totp', '/api/v1/auth/login/totp', null, { challenge: 'nope', code: '123456' }],
  ['POST', '/api/v1/auth/login/totp', '/api/v1/auth/login/totp', null, { challenge: 'nope' }],
  ['POST', '/api/v1/auth/totp/disable', '/api/v1/auth/totp/disable', 'resident', { code: '123456' }],
  ['POST', '/api/v1/auth/totp/enable', '/api/v1/auth/totp/enable', 'resident', { code: 'x'.repeat(40) }],
  ['POST', '/api/v1/users/{id}/reset-totp', '/api/v1/users/1/reset-totp', 'admin'],
  ['POST', '/api/v1/users/{id}/reset-totp', '/api/v1/users/1/reset-totp', 'grid'],
  ['GET', '/api/v1/regions/{code}', '/api/v1/regions/152531', 'admin'],
  ['GET', '/api/v1/regions/{code}', '/api/v1/regions/15253120220601001', 'admin'],
  ['GET', '/api/v1/regions/{code}', '/api/v1/regions/150103', 'admin'],
  ['GET', '/api/v1/regions/{code}', '/api/v1/regions/152531', 'resident'],
  ['GET', '/api/v1/regions/{code}/children', '/api/v1/regions/152531202206/children', 'admin'],
  ['GET', '/api/v1/regions/{code}/children', '/api/v1/regions/15253120220601/children', 'grid'],
  ['GET', '/api/v1/regions/{code}/households', '/api/v1/regions/15253120220601/households?limit=30', 'grid'],
  ['GET', '/api/v1/regions/{code}/households', '/api/v1/regions/15253120220601/households?limit=0', 'grid'],
  ['GET', '/api/v1/grids/{code}', '/api/v1/grids/15253120220601', 'grid'],
  ['GET', '/api/v1/grids/{code}', '/api/v1/grids/15253120220602', 'grid'],
  ['GET', '/api/v1/households/{id}', (c) => `/api/v1/households/${c.household}`, 'grid'],
  ['GET', '/api/v1/households/{id}', '/api/v1/households/1', 'grid'],
  ['GET', '/api/v1/people', '/api/v1/people?limit=200', 'admin'],
  ['GET', '/api/v1/people', '/api/v1/people?tag=nope', 'admin'],
  ['POST', '/api/v1/people', '/api/v1/people', 'linhe', (c) => ({ household_id: c.linheHousehold, name: '契约测试', id_number: makeResidentId(), phone: '13912340000', relation: '其他', tags: ['党员'] })],
  ['POST', '/api/v1/people', '/api/v1/people', 'linhe', (c) => ({ household_id: c.linheHousehold, name: '契约测试', id_number: '110105199001011234' })],
  ['POST', '/api/v1/people', '/api/v1/people', 'resident', { household_id: '1', name: 'x', id_number: '11010519491231002X' }],
  ['GET', '/api/v1/people/{id}', (c) => `/api/v1/people/${c.person}`, 'grid'],
  ['GET', '/api/v1/people/{id}', '/api/v1/people/1', 'grid'],
  ['PATCH', '/api/v1/people/{id}', '/api/v1/people/1', 'grid', { name: '某' }],
  ['GET', '/api/v1/people/{id}/sensitive', (c) => `/api/v1/people/${c.person}/sensitive?purpose=%E6%A0%B8%E5%AE%9E%E8%BA%AB%E4%BB%BD`, 'grid'],
  ['GET', '/api/v1/people/{id}/sensitive', (c) => `/api/v1/people/${c.person}/sensitive?purpose=%E6%A0%B8%E5%AE%9E%E8%BA%AB%E4%BB%BD`, 'resident'],
  ['GET', '/api/v1/me/household', '/api/v1/me/household', 'resident'],
  ['GET', '/api/v1/me/profile', '/api/v1/me/profile', 'resident'],
  ['GET', '/api/v1/me/profile', '/api/v1/me/profile', 'admin'],
  ['GET', '/api/v1/users', '/api/v1/users?limit=200', 'admin'],
  ['GET', '/api/v1/users', '/api/v1/users', 'grid'],
  ['POST', '/api/v1/users', '/api/v1/users', 'admin', () => ({ username: uniqueName('ct'), name: '契约', role: 'grid_worker', scope_code: '15253120220601', phone: '13812345678' })],
  ['POST', '/api/v1/users', '/api/v1/users', 'admin', { username: 'duolun.grid', name: '重名', role: 'grid_worker', scope_code: '15253120220601' }],
  ['POST', '/api/v1/users', '/api/v1/users', 'admin', { username: 'ok.name', name: '某', role: 'nope', scope_code: '15253120220601' }],
  ['POST', '/api/v1/users/{id}/disable', '/api/v1/users/1/disable', 'admin'],
  ['GET', '/api/v1/people', '/api/v1/people?limit=200', 'dept'],
  ['GET', '/api/v1/regions/{code}/households', '/api/v1/regions/15253120220601/households', 'dept'],
  ['GET', '/api/v1/grids/{code}', '/api/v1/grids/15253120220601', 'dept'],
  ['GET', '/api/v1/people/{id}', (c) => `/api/v1/people/${c.person}`, 'dept'],
  ['GET', '/api/v1/counties/{code}/settings', '/api/v1/counties/152531/settings', 'admin'],
  ['GET', '/api/v1/counties/{code}/settings', '/api/v1/counties/150802/settings', 'admin'],
  ['GET', '/api/v1/counties/{code}/settings', '/api/v1/counties/152531/settings', 'grid'],
  ['PUT', '/api/v1/counties/{code}/settings', '/api/v1/counties/152531/settings', 'admin', { department_registry: 'linked' }],
  ['PUT', '/api/v1/counties/{code}/settings', '/api/v1/counties/152531/settings', 'admin', { department_registry: 'all' }],
  ['PUT', '/api/v1/counties/{code}/settings', '/api/v1/counties/152531/settings', 'admin', { department_registry: 'linked', more: 1 }],
  ['PUT', '/api/v1/counties/{code}/settings', '/api/v1/counties/152531/settings', 'dept', { department_registry: 'county' }],
  ['GET', '/api/v1/audit', '/api/v1/audit?limit=200', 'admin'],
  ['GET', '/api/v1/audit', '/api/v1/audit', 'grid'],
];

for (const [method, template, path, who, body] of CALLS)
  test(`${method} ${typeof path === 'string' ? path : template} as ${who ?? 'nobody'}`, async () => {
    const r = await api(method, typeof path === 'function' ? path(ctx) : path, { token: who ? ctx[who] : undefined, body: typeof body === 'function' ? body(ctx) : body });
    conforms(method, template, r);
  });

test('second-factor replies conform: setup, enable, the two sign-in steps, disable, reset, locks', async () => {
  const a = await createAccount(ctx.admin, { prefix: 'ctt', role: 'leader', scope_code: '152531' });
  conforms('GET', '/api/v1/regions/{code}', await api('GET', '/api/v1/regions/152531', { token: a.token })); // 403 second_factor_required
  const s = await api('POST', '/api/v1/auth/totp/setup', { token: a.token });
  assert.equal(s.status, 200, s.text);
  conforms('POST', '/api/v1/auth/totp/setup', s);
  conforms('POST', '/api/v1/auth/totp/enable', await api('POST', '/api/v1/auth/totp/enable', { token: a.token, body: { code: wrongCode(s.json.secret) } }));
  const step = stepOf();
  const e = await api('POST', '/api/v1/auth/totp/enable', { token: a.token, body: { code: totpCode(s.json.secret, step) } });
  assert.equal(e.status, 200, e.text);
  conforms('POST', '/api/v1/auth/totp/enable', e);
  conforms('POST', '/api/v1/auth/totp/setup', await api('POST', '/api/v1/auth/totp/setup', { token: a.token })); // 409
  conforms('POST', '/api/v1/auth/totp/disable', await api('POST', '/api/v1/auth/totp/disable', { token: a.token, body: { code: e.json.recovery_codes[0] } })); // 403
  const l = await api('POST', '/api/v1/auth/login', { body: { username: a.username, password: a.password } });
  assert.equal(l.json.second_factor, 'totp', l.text);
  conforms('POST', '/api/v1/auth/login', l);
  conforms('POST', '/api/v1/auth/login/totp', await api('POST', '/api/v1/auth/login/totp', { body: { challenge: l.json.challenge, code: wrongCode(s.json.secret) } }));
  const t = await api('POST', '/api/v1/auth/login/totp', { body: { challenge: l.json.challenge, code: totpCode(s.json.secret, step + 1) } });
  assert.equal(t.status, 200, t.text);
  conforms('POST', '/api/v1/auth/login/totp', t);
  const r = await api('POST', `/api/v1/users/${a.id}/reset-totp`, { token: ctx.admin });
  assert.equal(r.status, 200, r.text);
  conforms('POST', '/api/v1/users/{id}/reset-totp', r);

  // An optional role: on, off (a wrong code, then a right one), and the lock that wrong codes make.
  const g = await createAccount(ctx.admin, { prefix: 'ctg' });
  const gs = (await api('POST', '/api/v1/auth/totp/setup', { token: g.token })).json;
  const ge = await api('POST', '/api/v1/auth/totp/enable', { token: g.token, body: { code: totpCode(gs.secret) } });
  assert.equal(ge.status, 200, ge.text);
  const off = (code) => api('POST', '/api/v1/auth/totp/disable', { token: g.token, body: { code } });
  conforms('POST', '/api/v1/auth/totp/disable', await off(wrongCode(gs.secret))); // 400
  const ok = await off(ge.json.recovery_codes[0]);
  assert.equal(ok.status, 204, ok.text);
  conforms('POST', '/api/v1/auth/totp/disable', ok);
  conforms('POST', '/api/v1/auth/totp/disable', await off('123456')); // 409
  const change = (old_password) => api('POST', '/api/v1/auth/password', { token: g.token, body: { old_password, new_password: strongPassword() } });
  for (let i = 0; i < 4; i++) await change(`Wrong@Old${i}`);
  const locked = await change('Wrong@Old4');
  assert.equal(locked.status, 423, locked.text);
  conforms('POST', '/api/v1/auth/password', locked);
});

test('logout, password change, disable, enable and reset replies conform', async () => {
  const a = await createAccount(ctx.admin, { prefix: 'ctr', activate: false });
  const l = await api('POST', '/api/v1/auth/login', { body: { username: a.username, password: a.initial_password } });
  conforms('POST', '/api/v1/auth/login', l);
  conforms('GET', '/api/v1/regions/{code}', await api('GET', '/api/v1/regions/152531', { token: l.json.token }));
  const pw = await api('POST', '/api/v1/auth/password', { token: l.json.token, body: { old_password: a.initial_password, new_password: strongPassword() } });
  assert.equal(pw.status, 204);
  conforms('POST', '/api/v1/auth/password', pw);
  for (const op of ['disable', 'enable', 'reset-password']) {
    const r = await api('POST', `/api/v1/users/${a.id}/${op}`, { token: ctx.admin });
    assert.equal(r.status, 200, r.text);
    conforms('POST', `/api/v1/users/{id}/${op}`, r);
  }
  const t = (await api('POST', '/api/v1/auth/login', { body: { username: 'duolun.grid', password: 'Jiceng@2026' } })).json.token;
  const out = await api('POST', '/api/v1/auth/logout', { token: t });
  assert.equal(out.status, 204);
  conforms('POST', '/api/v1/auth/logout', out);
  const csrf = await api('POST', '/api/v1/auth/logout', { cookie: `jiceng_session=${ctx.grid}` });
  conforms('POST', '/api/v1/auth/logout', csrf);
  const p = (await api('GET', '/api/v1/people?limit=1', { token: ctx.linhe })).json.items[0];
  const patch = await api('PATCH', `/api/v1/people/${p.id}`, { token: ctx.linhe, body: { tags: p.tags } });
  assert.equal(patch.status, 200, patch.text);
  conforms('PATCH', '/api/v1/people/{id}', patch);
});
