// durability.test.js — a case once acknowledged is never lost: kill -9 the server in the middle
// of a burst of creations, start it again, and every case that got a 201 is there (issue 3).
// SQLite: a fresh data directory with its own server. PostgreSQL: a second instance on the
// suite's database (several instances may share one PostgreSQL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';

const BIN = process.env.JICENG_BIN;
const DB = process.env.JICENG_TEST_DB || '';
const WORK = mkdtempSync(join(process.env.JICENG_TEST_WORK || '/tmp', 'dur-'));

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function start(data, port) {
  const args = ['serve', '--data', data, '--port', String(port), '--threads', '2', ...(DB ? ['--db', DB] : [])];
  const proc = spawn(BIN, args, { stdio: 'ignore' });
  proc.exited = new Promise((resolve) => proc.once('exit', resolve));
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (r.ok) return proc;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGKILL');
  throw new Error('server did not start');
}

async function login(base) {
  const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'duolun.resident', password: 'Jiceng@2026' }) });
  assert.equal(r.status, 200);
  return (await r.json()).token;
}

test('kill -9 during a burst of creations loses no acknowledged case', async (t) => {
  const data = join(WORK, 'data');
  if (!DB) {
    const s = spawnSync(BIN, ['seed-demo', '--data', data], { encoding: 'utf8' });
    assert.equal(s.status, 0, s.stderr);
  } else {
    // Keys must match the suite's server: use its data directory's keys.
    spawnSync('cp', ['-r', process.env.JICENG_TEST_DATA, data]);
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let proc = await start(data, port);
  const token = await login(base);
  const acked = [];
  let killed = false;
  const one = async (i) => {
    try {
      const r = await fetch(`${base}/api/v1/cases`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': `dur-${process.pid}-${i}` },
        body: JSON.stringify({ category: '0102', description: `持久性测试 ${i}` }),
      });
      if (r.status === 201) acked.push((await r.json()).id);
    } catch { /* the connection died with the server: not acknowledged */ }
  };
  // 400 creations, 40 at a time; kill -9 once 120 are acknowledged.
  const all = [];
  for (let i = 0; i < 400; i += 40) {
    all.push(...Array.from({ length: 40 }, (_, k) => one(i + k)));
    await new Promise((r) => setTimeout(r, 5));
    if (!killed && acked.length >= 120) {
      proc.kill('SIGKILL');
      killed = true;
    }
  }
  await Promise.all(all);
  if (!killed) proc.kill('SIGKILL');
  await proc.exited;
  assert.ok(acked.length >= 100, `acknowledged ${acked.length}`);
  t.diagnostic(`${acked.length} creations acknowledged before kill -9`);

  proc = await start(data, port);
  try {
    const t2 = await login(base);
    const missing = [];
    for (const id of acked) {
      const r = await fetch(`${base}/api/v1/cases/${id}`, { headers: { authorization: `Bearer ${t2}` } });
      if (r.status !== 200) missing.push(id);
    }
    assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged cases lost`);
  } finally {
    proc.kill('SIGTERM');
    await proc.exited;
  }
  // And the store is sound after the crash.
  const c = spawnSync(BIN, ['check', 'db', '--data', data, ...(DB ? ['--db', DB] : [])], { encoding: 'utf8' });
  assert.equal(c.status, 0, c.stdout + c.stderr);
});
