// diskfull.test.js — issue 9 part 3: a full disk. A server whose files live on a small tmpfs
// that is then filled answers writes 507 `storage_full` with a Chinese message in the JSON error
// shape, keeps /readyz at 503 while writes fail, logs the real cause once (not "cannot rollback"),
// and works again (and is ready) once space is freed, with no client write needed. `jiceng check`
// on a copy (the tmpfs remounted read-only) changes neither the database nor its WAL.
// SQLite: the whole data directory on the tmpfs. PostgreSQL: the database's disk is the
// cluster's (filling it is not something a test should do to a shared cluster), so the photo
// directory of a second instance is on the tmpfs: uploads answer 507 while the database goes on;
// and `check` writes nothing (no instance row, read-only sessions).
// Mounting needs root: where it is not permitted the test is skipped, saying so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { png } from '../api/lib/images.js';
import { doc, resolveRef, validateReply } from '../api/lib/openapi.js';

const BIN = process.env.JICENG_BIN;
const DATA = process.env.JICENG_TEST_DATA;
const DB = process.env.JICENG_TEST_DB || '';
const WORK = mkdtempSync(join(process.env.JICENG_TEST_WORK || '/tmp', 'full-'));
const FULL_MESSAGE = /服务器存储空间已满/;

function jiceng(args) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 120000, detached: true });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function psql(sql) {
  const r = spawnSync('psql', [DB, '-v', 'ON_ERROR_STOP=1', '-Atc', sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}
const sha = (p) => createHash('sha256').update(readFileSync(p)).digest('hex');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

/** Mount a tmpfs of mb MiB on dir; null if this machine does not let us (not root). */
function mountTmpfs(dir, mb) {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m,mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0 ? dir : null;
}
function umount(dir) {
  if (dir) spawnSync('umount', [dir]);
}

/** Fill the file system of dir to the last byte; returns the filler's path. */
function fill(dir) {
  const p = join(dir, 'filler');
  const fd = openSync(p, 'w');
  for (const size of [1 << 20, 4096, 512]) {
    const b = Buffer.alloc(size, 7);
    try { for (;;) writeSync(fd, b); } catch (e) { assert.equal(e.code, 'ENOSPC'); }
  }
  closeSync(fd);
  return p;
}

/** Start `serve` with extra args; its log (stdout and stderr) in logPath. */
async function serve(args, logPath) {
  const port = await freePort();
  const fd = openSync(logPath, 'w');
  const proc = spawn(BIN, ['serve', '--port', String(port), '--threads', '2', ...args], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  proc.exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${proc.base}/readyz`)).ok) return proc;
    } catch { /* not yet */ }
    await sleep(100);
  }
  proc.kill('SIGKILL');
  throw new Error(`server did not start: ${readFileSync(logPath, 'utf8')}`);
}

async function call(base, method, path, { token, body, type } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (type) headers['content-type'] = type;
  const r = await fetch(base + path, { method, headers, body: typeof body === 'object' && !Buffer.isBuffer(body) ? JSON.stringify(body) : body });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, json, text, ctype: r.headers.get('content-type') || '' };
}
async function login(base) {
  const r = await call(base, 'POST', '/api/v1/auth/login', { body: { username: 'duolun.resident', password: 'Jiceng@2026' } });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}
const newCase = (base, token, n) =>
  call(base, 'POST', '/api/v1/cases', { token, body: { category: '0102', description: `磁盘满测试 ${n}` } });
const upload = (base, token, seed) =>
  call(base, 'POST', '/api/v1/photos', { token, body: png(320, 240, { seed }), type: 'image/png' });

/** 507 storage_full in the JSON error shape, with the Chinese message, as docs/openapi.yaml
 * documents it for the operation (POST path). */
function assertFull(r, path) {
  assert.equal(r.status, 507, r.text);
  assert.match(r.ctype, /application\/json/);
  assert.equal(r.json?.error?.code, 'storage_full', r.text);
  assert.match(r.json.error.message, FULL_MESSAGE);
  let documented = doc.paths[path].post.responses['507'];
  assert.ok(documented, `507 documented for POST ${path}`);
  if (documented.$ref) documented = resolveRef(documented.$ref);
  assert.deepEqual(validateReply(documented.content['application/json'].schema, r.json), []);
}

async function readyz(base) {
  return call(base, 'GET', '/readyz');
}
async function waitReady(base, ms) {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await sleep(200))
    if ((await readyz(base)).status === 200) return true;
  return false;
}

test('SQLite: a full disk answers 507, is not ready, logs why, and recovers when space is freed', { skip: DB ? 'PostgreSQL run: the database disk is the cluster\'s (see the photo test)' : false }, async (t) => {
  const bak = join(WORK, 'full.bak');
  const pass = join(WORK, 'pass');
  spawnSync('sh', ['-c', `printf 'correct horse battery staple\\n' > ${pass}`]);
  let r = jiceng(['backup', '--out', bak, '--passphrase-file', pass, '--data', DATA]);
  assert.equal(r.code, 0, r.err);
  const mb = Math.ceil(statSync(bak).size / (1 << 20)) + 40;
  const mnt = mountTmpfs(join(WORK, 'mnt'), mb);
  if (!mnt) return t.skip('cannot mount a tmpfs here (not root?): the full-disk test needs one');
  let proc;
  try {
    const data = join(mnt, 'data');
    r = jiceng(['restore', '--from', bak, '--passphrase-file', pass, '--data', data]);
    assert.equal(r.code, 0, r.err);
    const log = join(WORK, 'full-server.log');
    proc = await serve(['--data', data, '--access-log', join(WORK, 'full-access.log')], log);
    const token = await login(proc.base);
    assert.equal((await newCase(proc.base, token, 0)).status, 201);

    const filler = fill(mnt);
    let full = null;
    for (let i = 1; i <= 200 && !full; i++) {
      const c = await newCase(proc.base, token, i);
      assert.ok(c.status === 201 || c.status === 507, c.text);
      if (c.status === 507) full = c;
    }
    assert.ok(full, 'a write failed once the disk was full');
    assertFull(full, '/api/v1/cases');
    assertFull(await upload(proc.base, token, 91), '/api/v1/photos'); // photos: ENOSPC is 507 too
    let ready = await readyz(proc.base);
    assert.equal(ready.status, 503, ready.text);
    assert.equal(ready.json.error.code, 'storage_full');
    await sleep(1500); // the store's own write attempt (once a second) finds no room
    assert.equal((await readyz(proc.base)).status, 503);
    const text = readFileSync(log, 'utf8');
    assert.match(text, /store: storage full: database or disk is full/, text);
    assert.doesNotMatch(text, /cannot rollback/);
    assert.doesNotMatch(text, /cannot commit/);

    // Space freed: ready again without any client write, and writes work.
    unlinkSync(filler);
    assert.ok(await waitReady(proc.base, 10000), 'ready again once space was freed');
    assert.equal((await newCase(proc.base, token, 999)).status, 201);
    assert.match(readFileSync(log, 'utf8'), /writes succeed again/);

    // kill -9 leaves a WAL with frames in it: `check` must change neither file.
    proc.kill('SIGKILL');
    await proc.exited;
    proc = null;
    const db = join(data, 'jiceng.db');
    const wal = `${db}-wal`;
    const before = [sha(db), sha(wal)];
    assert.ok(statSync(wal).size > 0, 'the WAL has frames');
    const ro = spawnSync('mount', ['-o', 'remount,ro', mnt]).status === 0;
    t.diagnostic(ro ? 'check ran on the tmpfs remounted read-only' : 'remount read-only refused: check ran read-write');
    const c = jiceng(['check', 'all', '--data', data]);
    assert.equal(c.code, 0, c.out + c.err);
    assert.deepEqual([sha(db), sha(wal)], before, 'check left the database and its WAL as they were');
  } finally {
    if (proc) {
      proc.kill('SIGKILL');
      await proc.exited;
    }
    umount(mnt);
  }
});

test('PostgreSQL: a full photo disk answers 507 while the database goes on; check writes nothing', { skip: DB ? false : 'SQLite run: the test above has the whole data directory on a full disk' }, async (t) => {
  const mnt = mountTmpfs(join(WORK, 'photos'), 2);
  if (!mnt) return t.skip('cannot mount a tmpfs here (not root?): the full-disk test needs one');
  let proc;
  try {
    // A second instance on the suite's database, with its keys.
    const data = join(WORK, 'pgdata');
    cpSync(DATA, data, { recursive: true });
    const log = join(WORK, 'pg-server.log');
    proc = await serve(['--data', data, '--db', DB, '--photos', mnt, '--access-log', join(WORK, 'pg-access.log')], log);
    const token = await login(proc.base);
    assert.equal((await upload(proc.base, token, 81)).status, 201);
    const filler = fill(mnt);
    assertFull(await upload(proc.base, token, 82), '/api/v1/photos');
    assert.equal((await newCase(proc.base, token, 1)).status, 201, 'the database is not full');
    assert.equal((await readyz(proc.base)).status, 200);
    unlinkSync(filler);
    assert.equal((await upload(proc.base, token, 83)).status, 201);
  } finally {
    if (proc) {
      proc.kill('SIGTERM');
      await proc.exited;
    }
    umount(mnt);
  }
  // `check` neither claims an instance number nor writes anything else.
  const state = () => psql('SELECT COUNT(*), SUM(started_at) FROM instances') + '|' +
    psql('SELECT COUNT(*), MAX(applied_at) FROM schema_migrations');
  const before = state();
  const c = jiceng(['check', 'all', '--data', DATA, '--db', DB]);
  assert.equal(c.code, 0, c.out + c.err);
  assert.equal(state(), before);
});
