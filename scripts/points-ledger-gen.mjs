#!/usr/bin/env node
// points-ledger-gen.mjs — generate points ledger entries straight into a store, with a valid hash
// chain (the canonical text of src/domain/ledger.c, recomputed here independently), for
// `scripts/bench` (1,000,000 entries for `jiceng check ledger`) and for load tests of the store.
//
//   node scripts/points-ledger-gen.mjs --sqlite FILE | --pg URL  --county 152224
//        [--villages 10] [--households 100] [--entries 1000000] [--points 5]
//
// Takes the first --villages villages of the county that have households (turning points on with
// 1 元 a point and a large budget where needed), --households per village, and posts --entries
// `adjustment` entries of +points round-robin over them, continuing each village's chain from
// its stored head. Accounts and chain heads are updated to match. Prints one JSON line:
// {villages:[…], households:[…ids], entries, seconds}.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const COUNTY = args.county || '152224';
const NV = Number(args.villages || 10);
const NH = Number(args.households || 100);
const NE = Number(args.entries || 1000000);
const PTS = Number(args.points || 5);
const engine = args.pg ? 'pg' : 'sqlite';
if (!args.pg && !args.sqlite) {
  console.error('usage: points-ledger-gen.mjs --sqlite FILE | --pg URL [--county C] [--villages N] [--households N] [--entries N] [--points N]');
  process.exit(2);
}

function query(sql) {
  const r = engine === 'pg'
    ? spawnSync('psql', [args.pg, '-v', 'ON_ERROR_STOP=1', '-AtF', '\t', '-c', sql], { encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync('sqlite3', ['-separator', '\t', args.sqlite, sql], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${sql}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
}

const t0 = Date.now();
const now = Date.now();
const year = new Date(now + 8 * 3600e3).getUTCFullYear();

// Villages of the county with households, and the first households of each.
const rows = query(`SELECT substr(region_code, 1, 12), id FROM households WHERE county = '${COUNTY}' ORDER BY substr(region_code, 1, 12), id`);
const byVillage = new Map();
for (const [v, id] of rows) {
  if (!byVillage.has(v)) {
    if (byVillage.size === NV) break;
    byVillage.set(v, []);
  }
  if (byVillage.get(v).length < NH) byVillage.get(v).push(id);
}
const villages = [...byVillage.keys()];

// Turn points on where needed, then read each chain's head and each account.
const pre = [];
for (const v of villages) {
  pre.push(`INSERT INTO points_settings (village_code, county, fen_per_point, updated_at) SELECT '${v}', '${COUNTY}', 100, ${now} WHERE NOT EXISTS (SELECT 1 FROM points_settings WHERE village_code = '${v}');`);
  pre.push(`INSERT INTO points_budgets (village_code, year, budget_fen) SELECT '${v}', ${year}, 100000000000 WHERE NOT EXISTS (SELECT 1 FROM points_budgets WHERE village_code = '${v}' AND year = ${year});`);
}
query(pre.join('\n'));
const heads = new Map(query(`SELECT village_code, last_seq, last_hash FROM points_settings WHERE county = '${COUNTY}'`).map(([v, s, h]) => [v, { seq: BigInt(s), hash: h || '' }]));
const accounts = new Map(query(`SELECT household_id, balance, honour, village_code FROM points_accounts WHERE county = '${COUNTY}'`).map(([id, b, h, v]) => [id, { balance: BigInt(b), honour: BigInt(h), village: v }]));

const text = (s) => (s == null ? '0:|' : `${Buffer.byteLength(s)}:${s}|`);
function entryHash(prev, village, seq, id, household, kind, points, honour, reason, at) {
  const canon = 'jiceng-ledger-v1|' + text(prev) + text(village) + `${seq}|${id}|${household}|` + text(kind) +
    `${points}|${honour}|0|0|0|` + text(null) + text(null) + text(reason) + text(null) + `0|${at}|`;
  return createHash('sha256').update(canon).digest('hex');
}

const child = engine === 'pg'
  ? spawn('psql', [args.pg, '-q', '-v', 'ON_ERROR_STOP=1'], { stdio: ['pipe', 'ignore', 'inherit'] })
  : spawn('sqlite3', [args.sqlite], { stdio: ['pipe', 'ignore', 'inherit'] });
const done = new Promise((res, rej) => child.on('exit', (c) => (c === 0 ? res() : rej(new Error(`store exited ${c}`)))));
let pending = '';
async function out(s) {
  pending += s;
  if (pending.length > 1 << 20) {
    const chunk = pending;
    pending = '';
    if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
  }
}

await out(engine === 'sqlite' ? 'PRAGMA synchronous=OFF;\nBEGIN;\n' : 'BEGIN;\n');
const households = villages.flatMap((v) => byVillage.get(v).map((h) => [v, h]));
const reason = '压测：积分调整';
const span = 300 * 86400e3; // spread over the past 300 days, daytime
let idBase = 7000000000000000000n + BigInt(now) * 1000n % 1000000000000000n;
let batch = [];
for (let i = 0; i < NE; i++) {
  const [v, h] = households[i % households.length];
  const head = heads.get(v);
  const seq = head.seq + 1n;
  const id = idBase + BigInt(i);
  const day = Math.floor(((i / NE) * span) / 86400e3) * 86400e3;
  const at = now - span + day + (9 * 3600e3 - 8 * 3600e3) + (i % 28800) * 1000; // 09:00–17:00 China time
  const hash = entryHash(head.hash, v, seq, id, h, 'adjustment', PTS, PTS, reason, at);
  batch.push(`('${v}',${seq},${id},'${COUNTY}',${h},'adjustment',${PTS},${PTS},NULL,NULL,NULL,NULL,NULL,'${reason}',NULL,NULL,'压测',${at},'${head.hash}','${hash}')`);
  head.seq = seq;
  head.hash = hash;
  const a = accounts.get(h) || { balance: 0n, honour: 0n, village: v, fresh: true };
  a.balance += BigInt(PTS);
  a.honour += BigInt(PTS);
  accounts.set(h, a);
  if (batch.length === 500 || i === NE - 1) {
    await out(`INSERT INTO points_entries (village_code, seq, id, county, household_id, kind, points, honour, indicator_id, reverses, order_id, source, source_ref, reason, photos, actor_id, actor_name, at, prev_hash, hash) VALUES ${batch.join(',')};\n`);
    batch = [];
  }
}
for (const [h, a] of accounts) {
  if (a.village === undefined) continue;
  if (a.fresh) await out(`INSERT INTO points_accounts (household_id, county, village_code, balance, honour, updated_at) VALUES (${h},'${COUNTY}','${a.village}',${a.balance},${a.honour},${now});\n`);
  else await out(`UPDATE points_accounts SET balance = ${a.balance}, honour = ${a.honour}, updated_at = ${now} WHERE household_id = ${h};\n`);
}
for (const v of villages) {
  const head = heads.get(v);
  await out(`UPDATE points_settings SET last_seq = ${head.seq}, last_hash = '${head.hash}', updated_at = ${now} WHERE village_code = '${v}';\n`);
}
await out('COMMIT;\n');
child.stdin.write(pending);
child.stdin.end();
await done;
console.log(JSON.stringify({ villages, households: households.map(([, h]) => h), entries: NE, seconds: (Date.now() - t0) / 1000 }));
