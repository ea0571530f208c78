// open311.test.js — the Open311 GeoReport v2 API under /open311/v2 (STANDARDS.md §1): discovery,
// services (a county's categories) and service definitions in JSON and XML; POST requests with an
// API key made by `jiceng apikey add`, landing as cases the county sees; GET requests with the
// spec's filters; one request and tokens; keys confined to their county. JSON replies are checked
// with Ajv (lib/openapi.js) against the GeoReport v2 JSON Schemas (open311/schema-validation,
// written out below) and against docs/openapi.yaml; XML replies with a minimal parser (balanced
// tags, the five entities only).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, demo, BIN, DATA, DB } from './lib/client.js';
import { sql, sqlSkip } from './lib/db.js';
import { doc, resolveRef, validateReply } from './lib/openapi.js';

const O = '/open311/v2';
const DUOLUN = '152531';
const HUIMIN = '150103';
// A category whose name needs every XML escape (inserted with SQL: categories are data).
const ODD_CODE = '9801';
const ODD_NAME = `水&电<燃>"气"'暖'`;

/** `jiceng apikey add`: the key is the last word of its output. */
function makeKey(county, name) {
  const args = ['apikey', 'add', '--county', county, '--name', name, '--data', DATA];
  if (DB) args.push('--db', DB);
  const out = execFileSync(BIN, args, { encoding: 'utf8' });
  const m = out.match(/:\s*(\S+)\s*$/);
  assert.ok(m, `apikey add printed a key: ${out}`);
  return m[1];
}

let key, otherKey, admin, center;
before(async () => {
  key = makeKey(DUOLUN, '测试');
  otherKey = makeKey(HUIMIN, '回民区测试');
  admin = await demo('duolun.admin');
  center = await demo('duolun.center');
});

/** An application/x-www-form-urlencoded POST; fields is an object or [name, value] pairs. */
function post(fmt, fields, headers = {}) {
  const p = new URLSearchParams();
  for (const [k, v] of Array.isArray(fields) ? fields : Object.entries(fields)) if (v !== undefined) p.append(k, v);
  return api('POST', `${O}/requests.${fmt}`, {
    body: p.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers },
  });
}

/** A GET with query parameters (undefined ones left out). */
function get(path, query = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.append(k, v);
  const s = q.toString();
  return api('GET', `${O}${path}${s ? `?${s}` : ''}`);
}

/** A report that succeeds; returns its service_request_id. */
async function report(fields) {
  const r = await post('json', Array.isArray(fields) ? [['api_key', key], ...fields] : { api_key: key, ...fields });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.length, 1);
  return r.json[0].service_request_id;
}

// ---------- minimal XML reader ----------

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function unescapeXml(t) {
  return t.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ENTITIES[e]);
}

/**
 * Parse the XML our server writes: the declaration, then elements without attributes, text, and
 * empty elements. Throws unless well-formed: one root, every tag closed by its own name, text
 * with no raw < & > " ' (the writer escapes all five) and no entity but the five and numeric
 * references. Returns {name, children, text}.
 */
function parseXml(text) {
  assert.match(text, /^<\?xml version="1\.0" encoding="UTF-8"\?>/, 'XML declaration with encoding');
  const body = text.replace(/^<\?xml[^?]*\?>/, '');
  const doc = { name: '#document', children: [], text: '' };
  const stack = [doc];
  const re = /<(\/?)([A-Za-z_][\w.-]*)(\/?)>|([^<]+)|(<)/g;
  let m;
  while ((m = re.exec(body))) {
    if (m[5]) throw new Error(`stray < at ${m.index}`);
    if (m[4] !== undefined) {
      const t = m[4];
      if (stack.length === 1) {
        if (t.trim()) throw new Error(`text outside the root: ${t}`);
        continue;
      }
      for (const e of t.matchAll(/&[^;&]*;?/g))
        if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(e[0])) throw new Error(`bad entity ${e[0]}`);
      if (/[>"']/.test(t)) throw new Error(`unescaped character in text: ${t}`);
      stack.at(-1).text += unescapeXml(t);
    } else if (m[1]) {
      const top = stack.pop();
      if (stack.length === 0 || top.name !== m[2]) throw new Error(`</${m[2]}> closes <${top?.name}>`);
    } else {
      const el = { name: m[2], children: [], text: '' };
      stack.at(-1).children.push(el);
      if (!m[3]) stack.push(el);
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1).name}>`);
  assert.equal(doc.children.length, 1, 'exactly one root element');
  return doc.children[0];
}
const kids = (el, name) => el.children.filter((c) => c.name === name);
const kid = (el, name) => kids(el, name)[0];
/** A flat element as {child: text}. */
const flat = (el) => Object.fromEntries(el.children.map((c) => [c.name, c.text]));

function xmlReply(r, status = 200) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') || '', /^text\/xml; charset=utf-8$/i);
  return parseXml(r.text);
}

// ---------- schemas ----------

// GeoReport v2 JSON Schemas (open311/schema-validation schema/georeport-v2/*.json); `anyOf
// [T, null]` written as type [T, 'null'], and no other properties allowed.
const ISO = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$';
const opt = (type, extra = {}) => ({ type: [type, 'null'], ...extra });
const SPEC = {
  service: {
    type: 'object',
    required: ['service_code', 'service_name', 'metadata', 'type'],
    additionalProperties: false,
    properties: {
      service_code: { type: 'string' },
      service_name: { type: 'string' },
      description: opt('string'),
      metadata: { type: 'boolean' },
      type: { type: 'string', enum: ['realtime', 'batch', 'blackbox'] },
      keywords: opt('string'),
      group: opt('string'),
    },
  },
  definition: {
    type: 'object',
    required: ['service_code', 'attributes'],
    additionalProperties: false,
    properties: { service_code: { type: 'string' }, attributes: { type: 'array' } },
  },
  request: {
    type: 'object',
    required: ['service_request_id', 'status', 'service_code', 'requested_datetime'],
    additionalProperties: false,
    properties: {
      service_request_id: { type: 'string', pattern: '^[0-9]+$' },
      status: { type: 'string', enum: ['open', 'closed'] },
      status_notes: opt('string'),
      service_name: opt('string'),
      service_code: { type: 'string' },
      description: opt('string', { maxLength: 4000 }),
      agency_responsible: opt('string'),
      service_notice: opt('string'),
      requested_datetime: { type: 'string', pattern: ISO },
      updated_datetime: opt('string', { pattern: ISO }),
      expected_datetime: opt('string', { pattern: ISO }),
      address: opt('string'),
      address_id: opt('string'),
      zipcode: opt('string'),
      lat: opt('number'),
      long: opt('number'),
      media_url: opt('string'),
    },
  },
  created: {
    type: 'object',
    required: ['service_request_id'],
    additionalProperties: false,
    properties: { service_request_id: { type: 'string', pattern: '^[0-9]+$' }, service_notice: opt('string'), account_id: opt('string') },
  },
  error: {
    type: 'object',
    required: ['code', 'description'],
    additionalProperties: false,
    properties: { code: { type: 'integer' }, description: { type: 'string', minLength: 1 } },
  },
};

function specList(schema, value) {
  assert.ok(Array.isArray(value), `top level is an array: ${JSON.stringify(value)?.slice(0, 200)}`);
  const errors = value.flatMap((v, i) => validateReply(schema, v).map((e) => e.replace(/^\$/, `$[${i}]`)));
  assert.deepEqual(errors, [], 'conforms to the GeoReport v2 schema');
}

/** The reply is documented in docs/openapi.yaml: status, content type, and (JSON) the schema. */
function documented(method, template, r) {
  const op = doc.paths?.[template]?.[method.toLowerCase()];
  assert.ok(op, `${method} ${template} in openapi.yaml`);
  let resp = op.responses?.[String(r.status)];
  assert.ok(resp, `${method} ${template}: status ${r.status} documented`);
  if (resp.$ref) resp = resolveRef(resp.$ref);
  const ctype = (r.headers.get('content-type') || '').split(';')[0].trim();
  assert.ok(resp.content?.[ctype], `${method} ${template} ${r.status}: ${ctype} documented`);
  if (ctype === 'application/json') {
    const errors = validateReply(resp.content[ctype].schema, r.json);
    assert.deepEqual(errors, [], `${method} ${template} ${r.status} conforms to openapi.yaml`);
  }
}

/** An Open311 error: status, and the spec's error list in the format asked for. */
function assertOpen311Error(r, status, fmt = 'json') {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  if (fmt === 'json') {
    assert.match(r.headers.get('content-type') || '', /^application\/json/);
    specList(SPEC.error, r.json);
    assert.equal(r.json.length, 1);
    assert.equal(r.json[0].code, status);
    return r.json[0];
  }
  const root = xmlReply(r, status);
  assert.equal(root.name, 'errors');
  const e = flat(kid(root, 'error'));
  assert.equal(e.code, String(status));
  assert.ok(e.description.length > 0);
  return e;
}

// ---------- discovery ----------

describe('discovery', () => {
  test('JSON: changeset, contact, key service, the GeoReport v2 endpoint with both formats', async () => {
    const r = await get('/discovery.json');
    assert.equal(r.status, 200, r.text);
    documented('GET', '/open311/v2/discovery.{fmt}', r);
    assert.match(r.json.changeset, new RegExp(ISO));
    assert.ok(r.json.contact && r.json.key_service);
    const ep = r.json.endpoints[0];
    assert.equal(ep.specification, 'http://wiki.open311.org/GeoReport_v2');
    assert.match(ep.url, /\/open311\/v2$/);
    assert.deepEqual([...ep.formats].sort(), ['application/json', 'text/xml']);
  });

  test('XML: the same document, well-formed', async () => {
    const root = xmlReply(await get('/discovery.xml'));
    assert.equal(root.name, 'discovery');
    assert.match(kid(root, 'changeset').text, new RegExp(ISO));
    const ep = kid(kid(root, 'endpoints'), 'endpoint');
    assert.equal(kid(ep, 'specification').text, 'http://wiki.open311.org/GeoReport_v2');
    assert.deepEqual(kids(kid(ep, 'formats'), 'format').map((f) => f.text).sort(), ['application/json', 'text/xml']);
  });

  test('behind a proxy the endpoint URL is absolute', async () => {
    const r = await api('GET', `${O}/discovery.json`, { headers: { 'x-forwarded-host': 'gov.example.cn', 'x-forwarded-proto': 'https' } });
    assert.equal(r.json.endpoints[0].url, 'https://gov.example.cn/open311/v2');
  });

  test('an unknown format is 400, answered in JSON', async () => {
    assertOpen311Error(await get('/discovery.yaml'), 400);
    assertOpen311Error(await get('/services.html', { jurisdiction_id: DUOLUN }), 400);
  });
});

// ---------- services ----------

describe('services', () => {
  let oddInserted = false;
  before(() => {
    if (sqlSkip()) return;
    const now = Date.now();
    sql(`INSERT INTO categories (county, code, parent_code, name, handling, respond_hours, complete_value, complete_unit, active, created_at, updated_at)
         VALUES ('${DUOLUN}', '98', NULL, '测试分组', 'grid', 24, 48, 'hours', 1, ${now}, ${now}),
                ('${DUOLUN}', '${ODD_CODE}', '98', '${ODD_NAME.replaceAll("'", "''")}', 'grid', 24, 48, 'hours', 1, ${now}, ${now})
         ON CONFLICT DO NOTHING`);
    oddInserted = true;
  });

  test('JSON: the county\'s second-level categories, by jurisdiction_id or by key', async () => {
    const r = await get('/services.json', { jurisdiction_id: DUOLUN });
    assert.equal(r.status, 200, r.text);
    specList(SPEC.service, r.json);
    documented('GET', '/open311/v2/services.{fmt}', r);
    const byCode = Object.fromEntries(r.json.map((s) => [s.service_code, s]));
    assert.equal(byCode['0101'].service_name, '垃圾堆放');
    assert.equal(byCode['0101'].group, '环境卫生');
    assert.equal(byCode['0101'].metadata, false);
    assert.equal(byCode['0101'].type, 'realtime');
    assert.match(byCode['0202'].description, /3 个工作日/);
    assert.ok(!byCode['01'], 'first-level groups are not services');
    assert.ok(r.json.every((s) => s.service_code.length >= 4));
    const byKey = await get('/services.json', { api_key: key });
    assert.deepEqual(byKey.json, r.json);
    const same = await get('/services.json', { api_key: key, jurisdiction_id: DUOLUN });
    assert.deepEqual(same.json, r.json);
  });

  test('without a county 400; an unknown county 404; a bad key or another county\'s 403', async () => {
    assertOpen311Error(await get('/services.json'), 400);
    assertOpen311Error(await get('/services.xml'), 400, 'xml');
    assertOpen311Error(await get('/services.json', { jurisdiction_id: '999999' }), 404);
    assertOpen311Error(await get('/services.json', { jurisdiction_id: 'x' }), 404);
    assertOpen311Error(await get('/services.json', { api_key: 'nonsense' }), 403);
    assertOpen311Error(await get('/services.json', { api_key: key, jurisdiction_id: HUIMIN }), 403);
    // Another county answers its own list, without 多伦县's test category.
    const h = await get('/services.json', { jurisdiction_id: HUIMIN });
    assert.equal(h.status, 200);
    assert.ok(h.json.length > 0 && !h.json.some((s) => s.service_code === ODD_CODE));
  });

  test('XML: <services><service>…, one per JSON item, well-formed', async () => {
    const [j, x] = await Promise.all([get('/services.json', { jurisdiction_id: DUOLUN }), get('/services.xml', { jurisdiction_id: DUOLUN })]);
    const root = xmlReply(x);
    assert.equal(root.name, 'services');
    const items = kids(root, 'service').map(flat);
    assert.equal(items.length, j.json.length);
    assert.deepEqual(items.map((s) => s.service_code), j.json.map((s) => s.service_code));
    const s = items.find((i) => i.service_code === '0101');
    assert.equal(s.service_name, '垃圾堆放');
    assert.equal(s.metadata, 'false');
    assert.equal(s.type, 'realtime');
  });

  test('names with & < > " \' are escaped in XML and intact in JSON', async (t) => {
    if (!oddInserted) return t.skip(sqlSkip());
    const x = await get('/services.xml', { jurisdiction_id: DUOLUN });
    assert.ok(x.text.includes('水&amp;电&lt;燃&gt;&quot;气&quot;&apos;暖&apos;'), 'the five escapes');
    const odd = kids(xmlReply(x), 'service').map(flat).find((s) => s.service_code === ODD_CODE);
    assert.equal(odd.service_name, ODD_NAME);
    assert.equal(odd.group, '测试分组');
    const j = await get('/services.json', { jurisdiction_id: DUOLUN });
    assert.equal(j.json.find((s) => s.service_code === ODD_CODE).service_name, ODD_NAME);
  });

  test('definition: no attributes; 404 for a group or an unknown code', async () => {
    const r = await get('/services/0101.json', { jurisdiction_id: DUOLUN });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(validateReply(SPEC.definition, r.json), []);
    documented('GET', '/open311/v2/services/{code}.{fmt}', r);
    assert.deepEqual(r.json, { service_code: '0101', attributes: [] });
    const root = xmlReply(await get('/services/0101.xml', { api_key: key }));
    assert.equal(root.name, 'service_definition');
    assert.equal(kid(root, 'service_code').text, '0101');
    assert.equal(kid(root, 'attributes').children.length, 0);
    assertOpen311Error(await get('/services/01.json', { jurisdiction_id: DUOLUN }), 404);
    const e = await get('/services/9999.xml', { jurisdiction_id: DUOLUN });
    assertOpen311Error(e, 404, 'xml');
    documented('GET', '/open311/v2/services/{code}.{fmt}', e);
  });
});

// ---------- POST requests ----------

describe('POST requests', () => {
  test('without a valid key: 403 in the spec\'s error shape, JSON and XML', async () => {
    const r = await post('json', { service_code: '0101', address_string: '牛眼睛村' });
    assertOpen311Error(r, 403);
    documented('POST', '/open311/v2/requests.{fmt}', r);
    assertOpen311Error(await post('xml', { service_code: '0101', address_string: '牛眼睛村' }), 403, 'xml');
    assertOpen311Error(await post('json', { api_key: 'not-a-key', service_code: '0101', address_string: '牛眼睛村' }), 403);
    // A key of 多伦县 cannot report into another county.
    assertOpen311Error(await post('json', { api_key: key, jurisdiction_id: HUIMIN, service_code: '0101', address_string: 'x' }), 403);
  });

  test('with a key: 200 and an ID; the county sees the case, submitted, from open311, without personal data', async () => {
    const r = await post('json', {
      api_key: key, jurisdiction_id: DUOLUN, service_code: '0101', address_string: '牛眼睛村 3 号楼西侧',
      description: '路边垃圾堆了三天 & 没人清理', first_name: '三', last_name: '张', phone: '13800001234',
      email: 'zhang3@example.cn', device_id: 'dev-77', account_id: 'acct-88', media_url: 'http://example.cn/1.jpg',
      'attribute[WHISPAWN]': '123456',
    });
    assert.equal(r.status, 200, r.text);
    specList(SPEC.created, r.json);
    documented('POST', '/open311/v2/requests.{fmt}', r);
    const id = r.json[0].service_request_id;
    assert.match(id, /^[1-9]\d*$/);
    assert.ok(r.json[0].service_notice);

    const c = await api('GET', `/api/v1/cases/${id}`, { token: admin });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.state, 'submitted');
    assert.equal(c.json.source, 'open311');
    assert.equal(c.json.region_code, DUOLUN);
    assert.equal(c.json.category_code, '0101');
    assert.equal(c.json.description, '路边垃圾堆了三天 & 没人清理');
    assert.equal(c.json.address, '牛眼睛村 3 号楼西侧');
    assert.equal(c.json.timeline[0].actor_name, '测试', 'reported by the key\'s name');
    const all = JSON.stringify(c.json);
    for (const personal of ['13800001234', '138****1234', 'zhang3', 'dev-77', 'acct-88', '张三', 'example.cn/1.jpg'])
      assert.ok(!all.includes(personal), `${personal} is not kept`);
  });

  test('XML reply: <service_requests><request><service_request_id>', async () => {
    const r = await post('xml', { api_key: key, service_code: '0202', address_string: '富泉村路口' });
    const root = xmlReply(r);
    assert.equal(root.name, 'service_requests');
    const req = flat(kid(root, 'request'));
    assert.match(req.service_request_id, /^\d+$/);
    assert.ok(!('token' in req), 'never a token');
  });

  test('lat+long alone, address_id alone, and multi-value attributes are enough', async () => {
    const a = await report({ service_code: '0202', lat: '42.1834', long: '116.4721' });
    const c = await api('GET', `/api/v1/cases/${a}`, { token: admin });
    assert.deepEqual(c.json.location, { lat: 42.1834, lon: 116.4721 });
    const b = await report([['service_code', '0101'], ['address_id', 'DL-0042'], ['attribute[KIND][]', '1'], ['attribute[KIND][]', '2']]);
    const d = await api('GET', `/api/v1/cases/${b}`, { token: admin });
    assert.match(d.json.address, /DL-0042/, 'address_id kept in the address text');
    // No description: the service's name stands in.
    assert.match(d.json.description, /垃圾堆放/);
  });

  test('refused: no location, half a coordinate, bad input (400); an unknown service 404', async () => {
    const base = { api_key: key, service_code: '0101', address_string: '牛眼睛村' };
    const no = await post('json', { api_key: key, service_code: '0101', description: '没有位置' });
    assertOpen311Error(no, 400);
    documented('POST', '/open311/v2/requests.{fmt}', no);
    assertOpen311Error(await post('xml', { api_key: key, service_code: '0101' }), 400, 'xml');
    assertOpen311Error(await post('json', { api_key: key, service_code: '0101', lat: '42.1' }), 400);
    assertOpen311Error(await post('json', { api_key: key, service_code: '0101', lat: '142.1', long: '116' }), 400);
    assertOpen311Error(await post('json', { api_key: key, service_code: '0101', lat: 'abc', long: '116' }), 400);
    assertOpen311Error(await post('json', { ...base, service_code: undefined }), 400);
    assertOpen311Error(await post('json', { ...base, phone: '12345' }), 400);
    assertOpen311Error(await post('json', { ...base, description: '长'.repeat(4001) }), 400);
    const e = assertOpen311Error(await post('json', { ...base, description: '长'.repeat(1001) }), 400);
    assert.match(e.description, /1000/, 'cases keep 1000 characters');
    assertOpen311Error(await post('json', [['api_key', key], ['service_code', '0101'], ['service_code', '0202'], ['address_string', 'x']]), 400);
    assertOpen311Error(await post('json', { ...base, description: 'a\u0000b' }), 400);
    const json = await api('POST', `${O}/requests.json`, { body: { api_key: key, service_code: '0101' } });
    assertOpen311Error(json, 400);
    const unknown = await post('json', { ...base, service_code: '9999' });
    assertOpen311Error(unknown, 404);
    documented('POST', '/open311/v2/requests.{fmt}', unknown);
    assertOpen311Error(await post('json', { ...base, service_code: '01' }), 404, 'json');
  });

  test('a description of 1000 characters with line breaks is kept whole', async () => {
    const text = `第一行\n${'长'.repeat(995)}\n末行`.slice(0, 1000);
    const id = await report({ service_code: '0101', address_string: '牛眼睛村', description: text });
    const c = await api('GET', `/api/v1/cases/${id}`, { token: admin });
    assert.equal(c.json.description, text);
  });
});

// ---------- GET requests ----------

describe('GET requests', () => {
  const ids = {};
  before(async () => {
    ids.a = await report({ service_code: '0101', address_string: '牛眼睛村 5 号', description: '查询测试 A' });
    ids.b = await report({ service_code: '0202', address_string: '牛眼睛村 6 号', description: '查询测试 B' });
    ids.c = await report({ service_code: '0101', address_string: '牛眼睛村 5 号', description: '查询测试 C（重复）' });
    // The center folds C into A: merged, which Open311 calls closed.
    const m = await api('POST', `/api/v1/cases/${ids.c}/events`, { token: center, body: { event: 'merge', into: ids.a, note: '与前一诉求重复，已合并' } });
    assert.equal(m.status, 200, m.text);
    assert.equal(m.json.state, 'merged');
  });

  const list = (query, fmt = 'json') => get(`/requests.${fmt}`, { api_key: key, ...query });
  const idsOf = (r) => r.json.map((x) => x.service_request_id);

  test('the key is required here (PIPL): 403 without one, in JSON and XML', async () => {
    const r = await get('/requests.json');
    assertOpen311Error(r, 403);
    documented('GET', '/open311/v2/requests.{fmt}', r);
    assertOpen311Error(await get('/requests.xml'), 403, 'xml');
    assertOpen311Error(await get('/requests.json', { api_key: 'nope' }), 403);
    assertOpen311Error(await list({ jurisdiction_id: HUIMIN }), 403);
  });

  test('default: the last 90 days, newest first, records per the GeoReport v2 schema', async () => {
    const r = await list({});
    assert.equal(r.status, 200, r.text);
    specList(SPEC.request, r.json);
    documented('GET', '/open311/v2/requests.{fmt}', r);
    const got = idsOf(r);
    for (const k of ['a', 'b', 'c']) assert.ok(got.includes(ids[k]), `${k} listed`);
    const sorted = [...got].sort((x, y) => (BigInt(y) > BigInt(x) ? 1 : BigInt(y) < BigInt(x) ? -1 : 0));
    assert.deepEqual(got, sorted, 'newest first');
    assert.ok(r.json.length <= 1000);
    const a = r.json.find((x) => x.service_request_id === ids.a);
    assert.equal(a.status, 'open');
    assert.equal(a.service_code, '0101');
    assert.equal(a.service_name, '垃圾堆放');
    assert.equal(a.description, '查询测试 A');
    assert.equal(a.address, '牛眼睛村 5 号');
    assert.equal(a.service_notice, '已提交');
    assert.match(a.requested_datetime, /\+08:00$/);
    assert.match(a.expected_datetime, /\+08:00$/);
    // The same instant as the case's own time.
    const c = await api('GET', `/api/v1/cases/${ids.a}`, { token: admin });
    assert.equal(Date.parse(a.requested_datetime), Math.floor(c.json.created_at / 1000) * 1000);
    assert.ok(!('zipcode' in a) && !('media_url' in a), 'JSON leaves out what is empty');
  });

  test('service_request_id: a comma list that overrides the other filters', async () => {
    const r = await list({ service_request_id: `${ids.a}, ${ids.b},1,${ids.a}`, status: 'closed', service_code: '0703' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(idsOf(r).sort(), [ids.a, ids.b].sort());
    specList(SPEC.request, r.json);
    assertOpen311Error(await list({ service_request_id: 'abc' }), 400);
    assertOpen311Error(await list({ service_request_id: Array.from({ length: 101 }, (_, i) => i + 1).join(',') }), 400);
  });

  test('status: open, closed (closed, merged, cancelled) or both', async () => {
    const open = await list({ status: 'open' });
    assert.ok(idsOf(open).includes(ids.a) && !idsOf(open).includes(ids.c));
    assert.ok(open.json.every((x) => x.status === 'open'));
    const closed = await list({ status: 'closed' });
    assert.ok(idsOf(closed).includes(ids.c) && !idsOf(closed).includes(ids.a));
    assert.ok(closed.json.every((x) => x.status === 'closed'));
    const c = closed.json.find((x) => x.service_request_id === ids.c);
    assert.equal(c.status_notes, '与其他诉求重复，已合并办理', 'a fixed public text, not the merging note');
    assert.equal(c.service_notice, '已合并');
    const both = await list({ status: 'open,closed' });
    assert.ok([ids.a, ids.c].every((i) => idsOf(both).includes(i)));
    assertOpen311Error(await list({ status: 'pending' }), 400);
  });

  test('service_code: one or a comma list', async () => {
    const one = await list({ service_code: '0202' });
    assert.ok(idsOf(one).includes(ids.b) && !idsOf(one).includes(ids.a));
    assert.ok(one.json.every((x) => x.service_code === '0202'));
    const two = await list({ service_code: '0202,0101' });
    assert.ok([ids.a, ids.b].every((i) => idsOf(two).includes(i)));
    assertOpen311Error(await list({ service_code: "0101' OR 1=1" }), 400);
  });

  test('start_date and end_date: ISO 8601 with a zone, at most 90 days apart', async () => {
    const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
    const cn = (ms) => new Date(ms + 8 * 3600e3).toISOString().replace(/\.\d+Z$/, '+08:00');
    const now = Date.now();
    let r = await list({ start_date: iso(now - 3600e3), end_date: cn(now + 3600e3) });
    assert.equal(r.status, 200, r.text);
    assert.ok(idsOf(r).includes(ids.a), 'inside the window');
    r = await list({ start_date: iso(now - 30 * 86400e3), end_date: iso(now - 29 * 86400e3) });
    assert.ok(!idsOf(r).includes(ids.a), 'outside the window');
    r = await list({ start_date: cn(now - 2 * 86400e3) });
    assert.ok(idsOf(r).includes(ids.a), 'start alone: 90 days from it');
    r = await list({ end_date: iso(now + 60e3) });
    assert.ok(idsOf(r).includes(ids.a), 'end alone: 90 days up to it');
    // A '+' sent unencoded arrives as a space: still understood.
    r = await api('GET', `${O}/requests.json?api_key=${encodeURIComponent(key)}&start_date=${cn(now - 3600e3)}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(idsOf(r).includes(ids.a));
    assertOpen311Error(await list({ start_date: iso(now - 91 * 86400e3), end_date: iso(now) }), 400);
    assertOpen311Error(await list({ start_date: iso(now), end_date: iso(now - 86400e3) }), 400);
    assertOpen311Error(await list({ start_date: 'yesterday' }), 400);
    assertOpen311Error(await list({ start_date: '2026-02-30T00:00:00Z' }), 400);
    assertOpen311Error(await list({ start_date: iso(now - 91 * 86400e3), end_date: iso(now) }, 'xml'), 400, 'xml');
  });

  test('XML: <service_requests><request> with every field, empty ones as empty elements', async () => {
    const root = xmlReply(await list({ service_request_id: `${ids.a},${ids.c}` }, 'xml'));
    assert.equal(root.name, 'service_requests');
    const reqs = kids(root, 'request');
    assert.equal(reqs.length, 2);
    const FIELDS = ['service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'description', 'agency_responsible', 'service_notice', 'requested_datetime', 'updated_datetime', 'expected_datetime', 'address', 'address_id', 'zipcode', 'lat', 'long', 'media_url'];
    for (const el of reqs) assert.deepEqual(el.children.map((c) => c.name), FIELDS);
    const c = flat(reqs.find((el) => kid(el, 'service_request_id').text === ids.c));
    assert.equal(c.status, 'closed');
    assert.equal(c.description, '查询测试 C（重复）');
    assert.equal(c.zipcode, '');
    assert.match(c.requested_datetime, /\+08:00$/);
  });

  test('a key sees only its own county', async () => {
    const r = await get('/requests.json', { api_key: otherKey, service_request_id: `${ids.a},${ids.b}` });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, []);
    const all = await get('/requests.json', { api_key: otherKey });
    assert.ok(!idsOf(all).some((i) => [ids.a, ids.b, ids.c].includes(i)));
  });

  test('agency_responsible and status_notes follow the case: dispatched to a village', async () => {
    const d = await api('POST', `/api/v1/cases/${ids.b}/events`, { token: admin, body: { event: 'dispatch', assignee: '152531202206', note: '转牛眼睛村处理' } });
    assert.equal(d.status, 200, d.text);
    const r = await get(`/requests/${ids.b}.json`, { api_key: key });
    assert.equal(r.status, 200, r.text);
    const b = r.json[0];
    assert.equal(b.status, 'open');
    assert.equal(b.service_notice, '已派单');
    assert.equal(b.status_notes, '已分派，等待受理', 'the state in public words, not the dispatcher\'s note');
    assert.equal(typeof b.agency_responsible, 'string');
    assert.match(b.agency_responsible, /牛眼睛/);
  });

  test('internal notes never leave through Open311: JSON and XML, one request and lists', async () => {
    // The dispatcher's note and the merging note written above are staff notes of the timeline.
    for (const path of [`/requests/${ids.b}.json`, `/requests/${ids.b}.xml`, `/requests/${ids.c}.json`, '/requests.json', '/requests.xml']) {
      const r = await get(path, { api_key: key });
      assert.equal(r.status, 200, r.text);
      for (const note of ['转牛眼睛村处理', '与前一诉求重复，已合并'])
        assert.ok(!r.text.includes(note), `${path} carries the internal note ${note}`);
    }
  });
});

// ---------- one request, tokens ----------

describe('one request and tokens', () => {
  let id;
  before(async () => {
    id = await report({ service_code: '0101', lat: '42.1834', long: '116.4721', description: '单条查询 <测试>' });
  });

  test('GET /requests/{id}: a list of one, JSON and XML', async () => {
    const r = await get(`/requests/${id}.json`, { api_key: key });
    assert.equal(r.status, 200, r.text);
    specList(SPEC.request, r.json);
    documented('GET', '/open311/v2/requests/{id}.{fmt}', r);
    assert.equal(r.json.length, 1);
    assert.equal(r.json[0].service_request_id, id);
    assert.equal(r.json[0].description, '单条查询 <测试>');
    assert.equal(r.json[0].lat, 42.1834);
    assert.equal(r.json[0].long, 116.4721);
    const root = xmlReply(await get(`/requests/${id}.xml`, { api_key: key }));
    const one = flat(kid(root, 'request'));
    assert.equal(one.service_request_id, id);
    assert.equal(one.description, '单条查询 <测试>');
    assert.equal(Number(one.lat), 42.1834);
  });

  test('404 for another county\'s key, an unknown or a malformed ID; 403 without a key', async () => {
    const other = await get(`/requests/${id}.json`, { api_key: otherKey });
    assertOpen311Error(other, 404);
    documented('GET', '/open311/v2/requests/{id}.{fmt}', other);
    assertOpen311Error(await get(`/requests/${id}.xml`, { api_key: otherKey }), 404, 'xml');
    assertOpen311Error(await get('/requests/1.json', { api_key: key }), 404);
    assertOpen311Error(await get('/requests/abc.json', { api_key: key }), 404);
    assertOpen311Error(await get(`/requests/${id}.json`), 403);
  });

  test('tokens: a token is the request ID itself (we answer IDs at once)', async () => {
    const r = await get(`/tokens/${id}.json`, { api_key: key });
    assert.equal(r.status, 200, r.text);
    documented('GET', '/open311/v2/tokens/{token}.{fmt}', r);
    assert.deepEqual(r.json, [{ service_request_id: id, token: id }]);
    const root = xmlReply(await get(`/tokens/${id}.xml`, { api_key: key }));
    assert.deepEqual(flat(kid(root, 'request')), { service_request_id: id, token: id });
    assertOpen311Error(await get(`/tokens/${id}.json`, { api_key: otherKey }), 404);
    assertOpen311Error(await get('/tokens/nonsense.json', { api_key: key }), 404);
    assertOpen311Error(await get(`/tokens/${id}.json`), 403);
  });
});
