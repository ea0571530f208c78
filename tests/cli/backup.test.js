// backup.test.js — issue 9 part 2: backups that finish while people work, and that can be
// restored on a new machine. A backup taken while a steady stream of writes runs against the
// suite's server ends within a bound, its files (.part, the copy, the sealed keys) are never
// readable by others, and it restores to a database that passes `jiceng check`. The keys travel
// sealed under a passphrase: a fresh data directory gets readable ID numbers with the right
// passphrase, and a wrong passphrase, a missing keys file or keys that do not fit are refused
// with nothing changed. Both engines (PostgreSQL: pg_dump, restored into a new database).
// Env (from scripts/test): JICENG_BIN, JICENG_TEST_DATA, JICENG_TEST_DB, JICENG_TEST_URL,
// JICENG_TEST_WORK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BIN = process.env.JICENG_BIN;
const DATA = process.env.JICENG_TEST_DATA;
const DB = process.env.JICENG_TEST_DB || '';
const URL = process.env.JICENG_TEST_URL;
const WORK = mkdtempSync(join(process.env.JICENG_TEST_WORK || '/tmp', 'backup-'));
const dbArgs = DB ? ['--db', DB] : [];
const BOUND_MS = 60000; // a backup under load must end within this
const PASS = join(WORK, 'pass');
const WRONG = join(WORK, 'wrong');
writeFileSync(PASS, 'correct horse battery staple\n', { mode: 0o600 });
writeFileSync(WRONG, 'incorrect horse battery staple\n', { mode: 0o600 });
// No passphrase from the environment unless a test sets one.
const ENV = { ...process.env };
delete ENV.JICENG_BACKUP_PASSPHRASE;

function jiceng(args, opts = {}) {
  // detached: no controlling terminal, so nothing can stop to ask for a passphrase
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 120000, env: ENV, detached: true, ...opts });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function psql(url, sql) {
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-Atc', sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}
const checked = (out) => Number((/(\d+) rows checked/.exec(out) || [])[1]);
const mode = (p) => statSync(p).mode & 0o777;
const sha = (p) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** A place to restore into: a fresh data directory and, on PostgreSQL, a new empty database. */
let targets = 0;
function target(label) {
  const dir = join(WORK, `${label}-${++targets}`);
  if (!DB) return { dir, args: ['--data', dir] };
  const name = `${label}_${process.pid}_${targets}`;
  psql(DB, `DROP DATABASE IF EXISTS ${name}`);
  psql(DB, `CREATE DATABASE ${name}`);
  const url = DB.replace(/\/[^/]*$/, `/${name}`);
  return { dir, url, args: ['--data', dir, '--db', url] };
}
/** Nothing restored into t: no data directory; on PostgreSQL, no table in its database. */
function assertUntouched(t) {
  assert.ok(!existsSync(t.dir), `${t.dir} was not created`);
  if (DB) assert.equal(psql(t.url, "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"), '0');
}

async function login(username) {
  const r = await fetch(`${URL}/api/v1/auth/login`, {
    method: 'POST', body: JSON.stringify({ username, password: 'Jiceng@2026' }),
  });
  assert.equal(r.status, 200);
  return (await r.json()).token;
}

/** Four clients creating cases one after another until stopped. */
function writeLoad(token) {
  const load = { ok: 0, failed: [], ids: [], stop: false };
  const one = async (k) => {
    for (let i = 0; !load.stop; i++) {
      const r = await fetch(`${URL}/api/v1/cases`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify({ category: '0102', description: `备份期间的写入 ${k}-${i}` }),
      });
      const text = await r.text();
      if (r.status === 201) {
        load.ok++;
        load.ids.push(JSON.parse(text).id);
      } else load.failed.push(`${r.status} ${text}`);
    }
  };
  load.done = Promise.all([0, 1, 2, 3].map(one));
  return load;
}

/** Run a command without blocking the event loop (the load must go on); watch files meanwhile. */
function runWatching(args, watch) {
  return new Promise((resolve) => {
    const p = spawn(BIN, args, { env: ENV, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    const timer = setInterval(watch, 2);
    const limit = setTimeout(() => p.kill('SIGKILL'), BOUND_MS);
    p.on('exit', (code, signal) => {
      clearInterval(timer);
      clearTimeout(limit);
      resolve({ code, signal, out, err });
    });
  });
}

test('a backup under a steady write load ends in bounded time, private, and restores soundly', async (t) => {
  const token = await login('duolun.resident');
  const load = writeLoad(token);
  while (load.ok < 20 && load.failed.length === 0) await new Promise((r) => setTimeout(r, 10));
  const out = join(WORK, 'live.bak');
  const seen = {}; // path -> modes observed while the backup ran
  const look = (p) => {
    try { (seen[p] ||= new Set()).add(mode(p)); } catch { /* not there (yet) */ }
  };
  const before = load.ok;
  const firstId = load.ids[0];
  const t0 = Date.now();
  const b = await runWatching(['backup', '--out', out, '--passphrase-file', PASS, '--data', DATA, ...dbArgs],
    () => [`${out}.part`, out, `${out}.keys`].forEach(look));
  const ms = Date.now() - t0;
  const during = load.ok - before;
  load.stop = true;
  await load.done;
  t.diagnostic(`backup took ${ms} ms while ${during} cases were created (${load.ok} in all)`);
  assert.equal(b.signal, null, `the backup did not end within ${BOUND_MS} ms`);
  assert.equal(b.code, 0, b.err);
  assert.match(b.err, /backup written to .* bytes/);
  assert.match(b.err, /keys sealed in .*\.keys/);
  assert.ok(during > 0, 'the server took writes all through the backup');
  assert.deepEqual(load.failed, [], 'no write failed because of the backup');
  for (const [p, modes] of Object.entries(seen))
    assert.deepEqual([...modes], [0o600], `${p} was only ever 0600`);
  assert.ok(seen[`${out}.part`] || DB, 'the .part file was seen while the copy ran');
  assert.equal(mode(out), 0o600);
  assert.equal(mode(`${out}.keys`), 0o600);
  assert.ok(!existsSync(`${out}.part`), 'no .part left behind');

  // Restored on a new machine, the copy is a sound database with what was there before it began.
  const tg = target('loaded');
  const r = jiceng(['restore', '--from', out, '--passphrase-file', PASS, ...tg.args]);
  assert.equal(r.code, 0, r.err);
  const c = jiceng(['check', 'all', ...tg.args]);
  assert.equal(c.code, 0, c.out + c.err);
  const has = DB
    ? psql(tg.url, `SELECT COUNT(*) FROM cases WHERE id = ${firstId}`)
    : spawnSync('sqlite3', [join(tg.dir, 'jiceng.db'), `SELECT COUNT(*) FROM cases WHERE id = ${firstId}`],
      { encoding: 'utf8' }).stdout.trim();
  assert.equal(has, '1', 'a case created before the backup began is in it');
});

test('restore on a new machine: the passphrase opens the keys; wrong or missing keys change nothing', () => {
  const out = join(WORK, 'keys.bak');
  let r = jiceng(['backup', '--out', out, '--passphrase-file', PASS, '--data', DATA, ...dbArgs]);
  assert.equal(r.code, 0, r.err);
  const orig = checked(jiceng(['check', 'keys', '--data', DATA, ...dbArgs]).out);
  assert.ok(orig > 1000);

  // A wrong passphrase: refused, nothing created.
  const wrong = target('wrongpass');
  r = jiceng(['restore', '--from', out, '--passphrase-file', WRONG, ...wrong.args]);
  assert.equal(r.code, 1);
  assert.match(r.err, /口令错误/);
  assert.match(r.err, /未做任何改动/);
  assertUntouched(wrong);

  // The copy without its keys file, on a machine without keys: refused, nothing created.
  const bare = join(WORK, 'bare.bak');
  copyFileSync(out, bare);
  const nokeys = target('nokeys');
  r = jiceng(['restore', '--from', bare, '--passphrase-file', PASS, ...nokeys.args]);
  assert.equal(r.code, 1);
  assert.match(r.err, /无法解密/);
  assertUntouched(nokeys);

  // The right passphrase: the keys are installed privately and every ID number reads.
  const good = target('newmachine');
  r = jiceng(['restore', '--from', out, '--passphrase-file', PASS, ...good.args]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /keys installed/);
  assert.equal(mode(join(good.dir, 'keys')), 0o700);
  assert.equal(mode(join(good.dir, 'keys', 'field.key')), 0o600);
  assert.equal(mode(join(good.dir, 'keys', 'hash.key')), 0o600);
  const k = jiceng(['check', 'keys', ...good.args]);
  assert.equal(k.code, 0, k.out + k.err);
  assert.equal(checked(k.out), orig);
  // The same keys file, named with --keys, works from anywhere.
  const named = target('named');
  r = jiceng(['restore', '--from', bare, '--keys', `${out}.keys`, '--passphrase-file', PASS, ...named.args]);
  assert.equal(r.code, 0, r.err);
});

test('a target with keys of its own that do not fit the backup is refused and left as it was', () => {
  const out = join(WORK, 'other.bak');
  assert.equal(jiceng(['backup', '--out', out, '--passphrase-file', PASS, '--data', DATA, ...dbArgs]).code, 0);
  // Another installation: its own keys, its own (empty) database.
  const other = target('otherkeys');
  assert.equal(jiceng(['migrate', ...other.args]).code, 0);
  const keysBefore = sha(join(other.dir, 'keys', 'field.key'));
  const dbBefore = DB ? psql(other.url, 'SELECT COUNT(*) FROM schema_migrations') : sha(join(other.dir, 'jiceng.db'));
  const r = jiceng(['restore', '--from', out, '--passphrase-file', PASS, ...other.args]);
  assert.equal(r.code, 1);
  assert.match(r.err, /目标已有的密钥.*解不开/);
  assert.equal(sha(join(other.dir, 'keys', 'field.key')), keysBefore, 'its keys are not replaced');
  if (DB) {
    assert.equal(psql(other.url, 'SELECT COUNT(*) FROM schema_migrations'), dbBefore);
    assert.equal(psql(other.url, 'SELECT COUNT(*) FROM people'), '0', 'nothing restored');
  } else {
    assert.equal(sha(join(other.dir, 'jiceng.db')), dbBefore, 'its database is not replaced');
  }
});

test('backup wants a passphrase for the keys, or --no-keys said out loud', () => {
  const out = join(WORK, 'nopass.bak');
  let r = jiceng(['backup', '--out', out, '--data', DATA, ...dbArgs]);
  assert.equal(r.code, 2);
  assert.match(r.err, /需要口令/);
  assert.ok(!existsSync(out), 'no backup without its keys');
  const short = join(WORK, 'short');
  writeFileSync(short, 'tooshort\n');
  r = jiceng(['backup', '--out', out, '--passphrase-file', short, '--data', DATA, ...dbArgs]);
  assert.equal(r.code, 2);
  assert.match(r.err, /口令太短/);
  // From the environment.
  r = jiceng(['backup', '--out', out, '--data', DATA, ...dbArgs],
    { env: { ...ENV, JICENG_BACKUP_PASSPHRASE: 'correct horse battery staple' } });
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(`${out}.keys`));
  // Without keys, on purpose: it says what the operator must do instead.
  const bare = join(WORK, 'nokeys.bak');
  r = jiceng(['backup', '--out', bare, '--no-keys', '--data', DATA, ...dbArgs]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /keys NOT included/);
  assert.ok(!existsSync(`${bare}.keys`));
  assert.equal(mode(bare), 0o600);
});

test('restore refuses a file that is not a backup, on either engine, and changes nothing', () => {
  const junk = join(WORK, 'junk.bak');
  writeFileSync(junk, 'this is not a database');
  const tg = target('junk');
  const r = jiceng(['restore', '--from', junk, '--passphrase-file', PASS, ...tg.args]);
  assert.equal(r.code, 1);
  assert.match(r.err, /不是有效的 jiceng 备份文件/);
  assertUntouched(tg);
});
