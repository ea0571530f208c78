// browser.js — what every browser test uses: Debian's Chromium driven by playwright-core,
// the desktop and phone profiles, sign-in, and the checks every walk ends with (no uncaught
// page error, no console error, no 5xx, Chinese text drawn with a real CJK font).
//
// Environment (set by scripts/test): JICENG_TEST_URL base URL of a running `jiceng serve` on
// freshly seeded demo data. Artifacts (screenshots) go to ./test-results/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE = (process.env.JICENG_TEST_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');

/** The password of every demo account. */
export const DEMO_PW = 'Jiceng@2026';

/** An ID number as every response must show it: 4 digits, 10 stars, the last 4. */
export const MASKED_ID = /^\d{4}\*{10}\d{3}[\dX]$/;
/** A full 18-character ID number anywhere in a text. */
export const FULL_ID = /(?<![\d*])\d{17}[\dX](?![\d*])/;
/** Any Chinese character. */
export const HAN = /\p{Script=Han}/u;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const RESULTS = path.join(ROOT, 'test-results');

/** The county console on an ordinary office screen. */
export const DESKTOP = { viewport: { width: 1366, height: 800 }, locale: 'zh-CN' };

/** A cheap Android phone opening the H5 inside WeChat. */
export const PHONE = {
  viewport: { width: 375, height: 667 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  userAgent:
    'Mozilla/5.0 (Linux; Android 10; V2031A Build/QP1A.190711.020; wv) AppleWebKit/537.36 ' +
    '(KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 XWEB/4343 MMWEBSDK/20221012 Mobile ' +
    'Safari/537.36 MicroMessenger/8.0.30.2260(0x28001E3B) WeChat/arm64 Weixin NetType/WIFI ' +
    'Language/zh_CN ABI/arm64',
};

// The machine has no internet: without the background-networking flags Chromium keeps trying
// to reach Google and floods the log with refused connections.
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.JICENG_CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/** Retry an assertion until it passes or `timeout` ms have gone (then throw its last error). */
export async function eventually(check, { timeout = 5000, interval = 50 } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > end) throw e;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

let cjkFamilies = null;
/** Font families fontconfig says cover Chinese (fc-list :lang=zh). */
function chineseFamilies() {
  if (cjkFamilies) return cjkFamilies;
  cjkFamilies = new Set();
  try {
    const out = execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
    for (const line of out.split('\n')) {
      for (const f of line.split(',')) if (f.trim()) cjkFamilies.add(f.trim());
    }
  } catch {
    // No fontconfig tools: fall back to the name.
  }
  return cjkFamilies;
}
function isChineseFamily(name) {
  const set = chineseFamilies();
  if (set.size) return set.has(name);
  return /CJK|Hei|Song|Ming|Kai|WenQuanYi|Fallback/i.test(name);
}

/**
 * One browser context walking the app as one person. Records uncaught page errors, console
 * errors and 5xx answers; `expectHttpError` excuses one "Failed to load resource" console error
 * of a status the walk provokes on purpose (401 for an anonymous /auth/me, a wrong password).
 */
export class Walk {
  constructor(name, ctx, page) {
    this.name = name;
    this.ctx = ctx;
    this.page = page;
    this.problems = [];
    this.warnings = []; // console warnings: reported, not failed on
    this.expected = [];
    this.cdp = null;
    page.on('pageerror', (e) => this.problems.push({ kind: 'pageerror', text: e.stack || e.message }));
    page.on('console', (m) => {
      if (m.type() === 'warning') this.warnings.push(m.text());
      if (m.type() !== 'error') return;
      this.problems.push({ kind: 'console', text: m.text(), url: m.location().url || '' });
    });
    page.on('response', (r) => {
      if (r.status() >= 500) this.problems.push({ kind: 'http', text: `${r.status()} ${r.request().method()} ${r.url()}` });
    });
    page.on('requestfailed', (r) => {
      const f = r.failure();
      if (f && /ERR_ABORTED/.test(f.errorText)) return; // navigation away while loading
      this.problems.push({ kind: 'requestfailed', text: `${r.method()} ${r.url()}: ${f && f.errorText}` });
    });
  }

  static async open(browser, name, options) {
    const ctx = await browser.newContext(options);
    ctx.setDefaultTimeout(10000);
    ctx.setDefaultNavigationTimeout(15000);
    const page = await ctx.newPage();
    return new Walk(name, ctx, page);
  }

  /** Excuse one console error "Failed to load resource: … status of STATUS" for a URL path. */
  expectHttpError(status, urlPath) {
    this.expected.push({ status, urlPath });
  }

  /** Problems not excused by expectHttpError (each excuse covers one message). */
  unexpectedProblems() {
    const excuses = this.expected.slice();
    return this.problems.filter((p) => {
      if (p.kind !== 'console') return true;
      const m = /^Failed to load resource: the server responded with a status of (\d+)/.exec(p.text);
      if (!m) return true;
      let pathname = '';
      try {
        pathname = new URL(p.url).pathname;
      } catch {
        return true;
      }
      const i = excuses.findIndex((x) => x.status === Number(m[1]) && x.urlPath === pathname);
      if (i < 0) return true;
      excuses.splice(i, 1);
      return false;
    });
  }

  assertClean() {
    const left = this.unexpectedProblems();
    assert.deepEqual(
      left.map((p) => `${p.kind}: ${p.text}${p.url ? ` (${p.url})` : ''}`),
      [],
      `${this.name}: uncaught page errors, console errors or failed requests during the walk`,
    );
  }

  /** Open an app anonymously and sign in through its login form. app: 'admin' | 'h5'. */
  async login(app, username, password = DEMO_PW) {
    await this.openLogin(app);
    await this.submitLogin(username, password);
  }

  /**
   * Open the app's front door (/admin/ or /) without a session, the way a person does: the app
   * asks /auth/me (401, excused) and shows its login page.
   */
  async openLogin(app) {
    this.expectHttpError(401, '/api/v1/auth/me');
    await this.page.goto(BASE + (app === 'admin' ? '/admin/' : '/'));
    await this.page.getByTestId('login-submit').waitFor();
    assert.match(this.page.url(), /#\/login/, 'an anonymous visitor lands on the login page');
  }

  async submitLogin(username, password) {
    await this.page.getByTestId('login-username').fill(username);
    await this.page.getByTestId('login-password').fill(password);
    await this.page.getByTestId('login-submit').click();
  }

  /** The value of the session cookie (HttpOnly, so only the browser context can read it). */
  async sessionCookie() {
    const all = await this.ctx.cookies(BASE);
    return all.find((c) => c.name === 'jiceng_session') || null;
  }

  /** GET an API path with this context's cookies; returns {status, json}. */
  async apiGet(p) {
    const r = await this.ctx.request.get(BASE + p, { failOnStatusCode: false });
    let json = null;
    try {
      json = await r.json();
    } catch {
      json = null;
    }
    return { status: r.status(), json };
  }

  /**
   * Assert the Chinese text of the first element matching `selector` is drawn with a font that
   * covers Chinese (fc-list :lang=zh), not with boxes from a Latin fallback: asks Chromium
   * (CSS.getPlatformFontsForNode) which platform fonts drew the element and its descendants.
   */
  async assertChineseRendered(selector) {
    const text = await this.page.locator(selector).first().innerText();
    const han = [...text].filter((ch) => HAN.test(ch)).length;
    assert.ok(han > 0, `${selector} shows Chinese text (got ${JSON.stringify(text)})`);
    if (!this.cdp) {
      this.cdp = await this.ctx.newCDPSession(this.page);
      await this.cdp.send('DOM.enable');
      await this.cdp.send('CSS.enable');
    }
    const { root } = await this.cdp.send('DOM.getDocument', { depth: -1 });
    const first = await this.cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
    assert.ok(first.nodeId, `${selector} is in the DOM`);
    const inner = await this.cdp.send('DOM.querySelectorAll', { nodeId: first.nodeId, selector: '*' });
    const glyphs = new Map();
    for (const nodeId of [first.nodeId, ...inner.nodeIds]) {
      const { fonts } = await this.cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      for (const f of fonts) glyphs.set(f.familyName, (glyphs.get(f.familyName) || 0) + f.glyphCount);
    }
    const cjk = [...glyphs].filter(([family]) => isChineseFamily(family)).reduce((n, [, g]) => n + g, 0);
    assert.ok(
      cjk >= han,
      `${selector}: ${han} Chinese characters but only ${cjk} glyphs drawn with a Chinese font ` +
        `(fonts used: ${JSON.stringify(Object.fromEntries(glyphs))})`,
    );
  }

  /** Save test-results/NAME.png (CSS animations finished, so drawers and trees are at rest). */
  async screenshot(name) {
    mkdirSync(RESULTS, { recursive: true });
    const file = path.join(RESULTS, `${name}.png`);
    await this.page.screenshot({ path: file, animations: 'disabled' });
    return file;
  }

  async close() {
    await this.ctx.close().catch(() => {});
  }
}

/**
 * Run `fn(walk)` in a fresh context; afterwards the walk must be clean (no page or console
 * errors). On failure the page is saved as test-results/FAILED-NAME.png and the recorded
 * problems are added to the error. The context is closed in every case.
 */
export async function walk(browser, name, options, fn) {
  const w = await Walk.open(browser, name, options);
  try {
    await fn(w);
    if (w.warnings.length) console.log(`# ${name}: console warnings:\n#   ${w.warnings.join('\n#   ')}`);
    w.assertClean();
  } catch (e) {
    try {
      await w.screenshot(`FAILED-${name}`);
    } catch {
      // The page may be gone; the error matters more.
    }
    const left = w.unexpectedProblems();
    if (left.length && e && typeof e.message === 'string') {
      const extra = `\n  page problems:\n${left.map((p) => `    ${p.kind}: ${p.text} ${p.url || ''}`).join('\n')}`;
      e.message += extra;
      if (typeof e.stack === 'string') e.stack += extra;
    }
    throw e;
  } finally {
    await w.close();
  }
}

/** Sign in over the API and call it with the bearer token: the tests' side channel for setting
 * things up and checking what the pages show. */
export async function apiAs(username) {
  const r = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PW }),
  });
  assert.equal(r.status, 200, `login ${username}`);
  const { token, user } = await r.json();
  const call = async (method, p, body, headers = {}) => {
    const res = await fetch(BASE + p, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  return {
    user,
    get: (p) => call('GET', p),
    post: (p, b, h) => call('POST', p, b, h),
    put: (p, b) => call('PUT', p, b),
    patch: (p, b) => call('PATCH', p, b),
  };
}

/**
 * A point inside a demo grid, as {lat, lon} to 6 decimals: the middle of the grid's boundary as
 * GET /case-map gives it, moved by (u, v) ∈ [-0.4, 0.4] of its sides (the demo draws its grids as
 * quadrilaterals inside each county's real outline, so no test can know the coordinates).
 */
export async function pointInGrid(code, u = 0, v = 0) {
  const admin = await apiAs('duolun.admin');
  const r = await admin.get(`/api/v1/case-map?region=${code}`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const g = r.json.grids.find((x) => x.code === code);
  assert.ok(g, `grid ${code} has a boundary`);
  const ring = g.boundary.coordinates[0].slice(0, -1);
  const mid = (k) => ring.reduce((a, p) => a + p[k], 0) / ring.length;
  const side = (k, from, to) => (ring[to % ring.length][k] - ring[from][k]);
  const round = (x) => Math.round(x * 1e6) / 1e6;
  return {
    lon: round(mid(0) + u * side(0, 0, 1) + v * side(0, 0, ring.length - 1)),
    lat: round(mid(1) + u * side(1, 0, 1) + v * side(1, 0, ring.length - 1)),
  };
}
