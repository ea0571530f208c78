// cli.test.js — the command-line tools against the running test server's store:
// online backup + restore round trip with the keys copied by hand (backup.test.js has the rest), integrity checks that catch a tampered row, account
// commands, a division import with bad rows, and the refusal to seed twice.
// Env (from scripts/test): JICENG_BIN, JICENG_TEST_DATA, JICENG_TEST_DB, JICENG_TEST_URL,
// JICENG_TEST_WORK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { totpCode } from '../api/lib/totp.js';

const BIN = process.env.JICENG_BIN;
const DATA = process.env.JICENG_TEST_DATA;
const DB = process.env.JICENG_TEST_DB || '';
const URL = process.env.JICENG_TEST_URL;
const WORK = mkdtempSync(join(process.env.JICENG_TEST_WORK || '/tmp', 'cli-'));
const dbArgs = DB ? ['--db', DB] : [];

function jiceng(args, opts = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 120000, ...opts });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function psql(url, sql) {
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-Atc', sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}
async function login(username, password) {
  const r = await fetch(`${URL}/api/v1/auth/login`, {
    method: 'POST', body: JSON.stringify({ username, password }),
  });
  return { status: r.status, json: await r.json() };
}
const checked = (out) => Number((/(\d+) rows checked/.exec(out) || [])[1]);

test('help and unknown commands', () => {
  const h = jiceng(['--help']);
  assert.equal(h.code, 0);
  for (const c of ['serve', 'migrate', 'seed-demo', 'import', 'user', 'backup', 'restore', 'check'])
    assert.match(h.out, new RegExp(`\\b${c}\\b`));
  assert.equal(jiceng(['frobnicate']).code, 2);
  assert.equal(jiceng(['serve', '--port', 'x', '--data', WORK]).code, 2);
  const sh = jiceng(['serve', '--help']);
  assert.equal(sh.code, 0);
  assert.match(sh.out, /--threads/);
});

test('the access log is one JSON object per line with who, what, status and time', () => {
  const lines = readFileSync(join(DATA, 'access.log'), 'utf8').trim().split('\n');
  assert.ok(lines.length > 10);
  const entries = lines.map((l) => JSON.parse(l));
  for (const e of entries) {
    assert.equal(typeof e.ts, 'number');
    assert.match(e.method, /^[A-Z]+$/);
    assert.match(e.path, /^\//);
    assert.equal(typeof e.status, 'number');
    assert.equal(typeof e.ms, 'number');
    assert.equal(typeof e.ip, 'string');
  }
  assert.ok(entries.some((e) => e.user && e.status === 200), 'signed-in requests name the user');
  // Secrets never reach the log: no tokens, no passwords.
  assert.ok(!lines.some((l) => /Jiceng@2026|Bearer|jiceng_session=/.test(l)));
  // Open311 keys travel in query strings: the log keeps only stars.
  assert.ok(!lines.some((l) => /api_key=[^*&"]/.test(l)), 'api keys are masked');
});

test('integrity checks pass on the live store', () => {
  const r = jiceng(['check', 'all', '--data', DATA, ...dbArgs]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /^ok: \d+ rows checked, 0 problems/m);
  assert.ok(checked(r.out) > 100000, 'every person is checked');
});

test('online backup without its keys, then restore elsewhere with the keys copied by hand', () => {
  const file = join(WORK, 'backup.bin');
  const b = jiceng(['backup', '--out', file, '--no-keys', '--data', DATA, ...dbArgs]);
  assert.equal(b.code, 0, b.err);
  assert.match(b.err, /backup written to .* bytes/);
  const orig = checked(jiceng(['check', 'keys', '--data', DATA, ...dbArgs]).out);
  const target = join(WORK, 'restored');
  mkdirSync(target, { mode: 0o700 });
  // --no-keys: the operator keeps DATA/keys apart (README) and copies them to the new machine.
  cpSync(join(DATA, 'keys'), join(target, 'keys'), { recursive: true });
  let targetDb = [];
  if (DB) {
    const name = `restored_${process.pid}`;
    psql(DB, `DROP DATABASE IF EXISTS ${name}`);
    psql(DB, `CREATE DATABASE ${name}`);
    targetDb = ['--db', DB.replace(/\/[^/]*$/, `/${name}`)];
  }
  const r = jiceng(['restore', '--from', file, '--data', target, ...targetDb]);
  assert.equal(r.code, 0, r.err);
  const c = jiceng(['check', 'all', '--data', target, ...targetDb]);
  assert.equal(c.code, 0, c.out + c.err);
  assert.equal(checked(jiceng(['check', 'keys', '--data', target, ...targetDb]).out), orig);
});

test('check finds a row altered outside the application', () => {
  if (DB) {
    const name = `tamper_${process.pid}`;
    const file = join(WORK, 'tamper.bin');
    assert.equal(jiceng(['backup', '--out', file, '--no-keys', '--data', DATA, ...dbArgs]).code, 0);
    psql(DB, `DROP DATABASE IF EXISTS ${name}`);
    psql(DB, `CREATE DATABASE ${name}`);
    const url = DB.replace(/\/[^/]*$/, `/${name}`);
    assert.equal(jiceng(['restore', '--from', file, '--data', DATA, '--db', url]).code, 0);
    psql(url, "UPDATE people SET id_hash = 'beef' WHERE id = (SELECT MIN(id) FROM people)");
    const r = jiceng(['check', 'keys', '--data', DATA, '--db', url]);
    assert.equal(r.code, 1);
    assert.match(r.out, /does not decrypt or match/);
    return;
  }
  const copy = join(WORK, 'tampered');
  mkdirSync(copy, { mode: 0o700 });
  cpSync(join(DATA, 'keys'), join(copy, 'keys'), { recursive: true });
  const file = join(WORK, 'tamper.bin');
  assert.equal(jiceng(['backup', '--out', file, '--no-keys', '--data', DATA]).code, 0);
  assert.equal(jiceng(['restore', '--from', file, '--data', copy]).code, 0);
  const s = spawnSync('sqlite3', [join(copy, 'jiceng.db'),
    "UPDATE people SET id_enc = 'AAAA' || substr(id_enc, 5) WHERE id = (SELECT MIN(id) FROM people)"],
    { encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  const r = jiceng(['check', 'keys', '--data', copy]);
  assert.equal(r.code, 1);
  assert.match(r.out, /does not decrypt or match/);
  assert.match(r.out, /FAILED: \d+ rows checked, 1 problems/);
});

test('user add / disable / enable / reset from the command line', async () => {
  const name = `cli.${process.pid}`;
  let r = jiceng(['user', 'add', '--username', name, '--name', '王丽', '--role', 'grid_worker',
    '--scope', '15253120220602', '--data', DATA, ...dbArgs]);
  assert.equal(r.code, 0, r.err);
  const pw = /initial password: (\S+)/.exec(r.out)[1];
  let l = await login(name, pw);
  assert.equal(l.status, 200);
  assert.equal(l.json.user.must_change_password, true);
  assert.equal(l.json.user.scope_code, '15253120220602');

  r = jiceng(['user', 'add', '--username', name, '--name', '王丽', '--role', 'grid_worker',
    '--scope', '15253120220602', '--data', DATA, ...dbArgs]);
  assert.equal(r.code, 1);
  assert.match(r.err, /用户名已被使用/);
  r = jiceng(['user', 'add', '--username', `${name}x`, '--name', '王丽', '--role', 'grid_worker',
    '--scope', '152531202206', '--data', DATA, ...dbArgs]);
  assert.equal(r.code, 1, 'a grid worker is bound to a grid code');
  assert.match(r.err, /层级/);
  r = jiceng(['user', 'add', '--username', `${name}y`, '--name', '王丽', '--role', 'wizard',
    '--scope', '15253120220602', '--data', DATA, ...dbArgs]);
  assert.equal(r.code, 1);
  assert.match(r.err, /角色不存在/);

  assert.equal(jiceng(['user', 'disable', '--username', name, '--data', DATA, ...dbArgs]).code, 0);
  l = await login(name, pw);
  assert.equal(l.status, 401);
  assert.match(l.json.error.message, /停用/);
  assert.equal(jiceng(['user', 'enable', '--username', name, '--data', DATA, ...dbArgs]).code, 0);
  r = jiceng(['user', 'reset', '--username', name, '--data', DATA, ...dbArgs]);
  assert.equal(r.code, 0, r.err);
  const pw2 = /initial password: (\S+)/.exec(r.out)[1];
  assert.notEqual(pw2, pw);
  assert.equal((await login(name, pw)).status, 401);
  assert.equal((await login(name, pw2)).status, 200);
  assert.equal(jiceng(['user', 'disable', '--username', 'nobody.here', '--data', DATA, ...dbArgs]).code, 1);
});

test('a county admin made from the command line must enrol a second factor; `user reset` removes it', async () => {
  const name = `cli2fa.${process.pid}`;
  let r = jiceng(['user', 'add', '--username', name, '--name', '张强', '--role', 'county_admin',
    '--scope', '152531', '--data', DATA, ...dbArgs]);
  assert.equal(r.code, 0, r.err);
  const pw = /initial password: (\S+)/.exec(r.out)[1];
  const call = async (method, path, token, body) => {
    const res = await fetch(`${URL}${path}`, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: res.status === 204 ? null : await res.json() };
  };
  let t = (await login(name, pw)).json.token;
  const pw2 = 'Tt9!cli2faQz';
  assert.equal((await call('POST', '/api/v1/auth/password', t, { old_password: pw, new_password: pw2 })).status, 204);
  const limited = await call('GET', '/api/v1/regions/152531', t);
  assert.equal(limited.status, 403);
  assert.equal(limited.json.error.code, 'second_factor_required');
  const s = await call('POST', '/api/v1/auth/totp/setup', t);
  assert.equal((await call('POST', '/api/v1/auth/totp/enable', t, { code: totpCode(s.json.secret) })).status, 200);
  assert.equal((await login(name, pw2)).json.second_factor, 'totp');
  // The operator of the server resets the password: the second factor goes too (lost phone).
  r = jiceng(['user', 'reset', '--username', name, '--data', DATA, ...dbArgs]);
  assert.equal(r.code, 0, r.err);
  const pw3 = /initial password: (\S+)/.exec(r.out)[1];
  const l = await login(name, pw3);
  assert.equal(l.status, 200);
  assert.ok(l.json.token, 'one step again');
  t = l.json.token;
  const me = await call('GET', '/api/v1/auth/me', t);
  assert.equal(me.json.user.totp_enabled, false);
  assert.equal(me.json.user.totp_required, true);
});

test('division import reports bad rows by line and loads the good ones', () => {
  const dir = join(WORK, 'divisions');
  mkdirSync(dir);
  writeFileSync(join(dir, 'provinces.csv'), 'code,name\n15,"内蒙古自治区"\n');
  writeFileSync(join(dir, 'cities.csv'), 'code,name,provinceCode\n1525,"锡林郭勒盟",15\n');
  writeFileSync(join(dir, 'areas.csv'), 'code,name,cityCode,provinceCode\n152531,"多伦县",1525,15\n');
  writeFileSync(join(dir, 'streets.csv'), 'code,name,areaCode,provinceCode,cityCode\n152531202,"西干沟乡",152531,15,1525\n');
  writeFileSync(join(dir, 'villages.csv'),
    'code,name,streetCode,provinceCode,cityCode,areaCode\n' +
    '152531202206,"牛眼睛村委会",152531202,15,1525,152531\n' +
    '1525312022,"短",152531202,15,1525,152531\n' +
    '152531202299,"错上级",152531999,15,1525,152531\n');
  const r = jiceng(['import', 'divisions', '--province', '15', '--from', dir, '--data', DATA, ...dbArgs]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /villages\.csv line 3/);
  assert.match(r.err, /villages\.csv line 4/);
  assert.match(r.err, /1 villages\/communities; 2 invalid rows skipped/);
  const bad = jiceng(['import', 'divisions', '--province', '15', '--from', join(WORK, 'nope'), '--data', DATA, ...dbArgs]);
  assert.equal(bad.code, 1);
  assert.equal(jiceng(['import', 'divisions', '--data', DATA, ...dbArgs]).code, 2);
});

test('seeding twice is refused', () => {
  const r = jiceng(['seed-demo', '--data', DATA, ...dbArgs]);
  assert.equal(r.code, 3, r.err);
  assert.match(r.err, /演示数据已存在/);
});
