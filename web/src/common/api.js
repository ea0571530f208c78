// api.js — the one way the front end talks to the jiceng server (/api/v1, docs/API.md).
// Every request: same-origin cookie, `X-Requested-With: jiceng` (the server's CSRF check),
// JSON in and out. A failure becomes an ApiError carrying the server's Chinese message, so a
// page can show `err.message` as it is. 401 and "password change required" are routed by the
// handlers each app installs with apiSetHandlers().

const BASE = '/api/v1'

export class ApiError extends Error {
    constructor(status, code, message, field) {
        super(message)
        this.name = 'ApiError'
        this.status = status // HTTP status; 0 when the network failed
        this.code = code // stable English code: invalid, not_found, locked...
        this.field = field || null // offending input field, if the server named one
        this.handled = false // true once a global handler (redirect to login...) took care of it
    }
}

// Messages for failures that did not come with the server's JSON error body
// (a proxy in front answering 502, the server being restarted...).
const FALLBACK = {
    400: '请求有误',
    401: '请先登录',
    403: '没有权限执行此操作',
    404: '要找的记录不存在或不在您的管辖范围内',
    409: '数据已被修改或已存在，请刷新后重试',
    413: '提交的内容过大',
    423: '账号已锁定，请稍后再试',
    429: '操作太频繁，请稍后再试',
    500: '服务器内部错误，请稍后再试',
    502: '服务器暂时不可用，请稍后再试',
    503: '服务器繁忙，请稍后再试',
    504: '服务器响应超时，请稍后再试',
}

const CODE_BY_STATUS = {
    400: 'invalid',
    401: 'unauthenticated',
    403: 'forbidden',
    404: 'not_found',
    409: 'conflict',
    413: 'too_large',
    423: 'locked',
    429: 'rate_limited',
}

const handlers = {
    unauthenticated: null, // (err) => void, e.g. go to the login page
    passwordChangeRequired: null, // (err) => void, go to the change-password page
    secondFactorRequired: null, // (err) => void, go to the page that enrols a second factor
}

/** Install the app's reactions to 401, 403 password_change_required and 403
 *  second_factor_required. */
export function apiSetHandlers(h) {
    Object.assign(handlers, h)
}

function buildUrl(path, query) {
    let url = BASE + path
    if (query) {
        const qs = new URLSearchParams()
        for (const [k, v] of Object.entries(query)) {
            if (v === undefined || v === null || v === '') continue
            qs.append(k, String(v))
        }
        const s = qs.toString()
        if (s) url += (url.includes('?') ? '&' : '?') + s
    }
    return url
}

/**
 * Send one request. opts: query (object), body (JSON-serialisable), headers,
 * quiet (true: do not run the 401/403 handlers — used by login and the session probe).
 * Resolves to the parsed JSON body (null for 204); rejects with ApiError.
 */
export async function apiRequest(method, path, opts = {}) {
    const headers = {
        Accept: 'application/json',
        'X-Requested-With': 'jiceng',
        ...(opts.headers || {}),
    }
    const init = { method, credentials: 'same-origin', headers, cache: 'no-store' }
    if (opts.body !== undefined) {
        headers['Content-Type'] = 'application/json'
        init.body = JSON.stringify(opts.body)
    }
    let res
    try {
        res = await fetch(buildUrl(path, opts.query), init)
    } catch (e) {
        throw new ApiError(0, 'network', '网络连接失败，请检查网络后重试')
    }
    noteServerDate(res)
    if (res.status === 204) return null
    let data = null
    let text = ''
    try {
        text = await res.text()
        data = text ? JSON.parse(text) : null
    } catch (e) {
        data = null
    }
    if (res.ok) {
        if (text && data === null) {
            throw new ApiError(res.status, 'bad_response', '服务器返回的数据无法识别')
        }
        return data
    }
    throw failure(res.status, data, opts.quiet)
}

/** The ApiError of a failed answer (its JSON body parsed into data, or null); unless quiet, a
 *  401 or a required password change is handed to the app's handlers. */
function failure(status, data, quiet) {
    const body = (data && data.error) || {}
    const err = new ApiError(
        status,
        body.code || CODE_BY_STATUS[status] || 'internal',
        body.message || FALLBACK[status] || `服务器错误（${status}）`,
        body.field,
    )
    if (!quiet) {
        if (status === 401 && handlers.unauthenticated) {
            err.handled = true
            handlers.unauthenticated(err)
        } else if (
            status === 403 &&
            err.code === 'password_change_required' &&
            handlers.passwordChangeRequired
        ) {
            err.handled = true
            handlers.passwordChangeRequired(err)
        } else if (
            status === 403 &&
            err.code === 'second_factor_required' &&
            handlers.secondFactorRequired
        ) {
            err.handled = true
            handlers.secondFactorRequired(err)
        }
    }
    return err
}

/** A random key for Idempotency-Key: one per user action, reused when that action is retried.
 *  crypto.randomUUID exists only in secure contexts (https, localhost); WeChat on plain http
 *  falls back to getRandomValues, and a very old WebView to Math.random. */
export function newIdempotencyKey() {
    const c = typeof window !== 'undefined' ? window.crypto : null
    if (c && typeof c.randomUUID === 'function') {
        try {
            return c.randomUUID()
        } catch (e) {
            // Not a secure context after all: fall through.
        }
    }
    const b = new Uint8Array(16)
    if (c && c.getRandomValues) {
        c.getRandomValues(b)
    } else {
        for (let i = 0; i < b.length; i++) b[i] = Math.floor(Math.random() * 256)
    }
    b[6] = (b[6] & 0x0f) | 0x40 // shaped as a version-4 UUID, like randomUUID()
    b[8] = (b[8] & 0x3f) | 0x80
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

// The server's clock as seen through the Date header of its answers. A cheap phone's clock can
// be minutes off; deadlines count down against the server's time, not the phone's.
let clockOffset = 0

function noteServerDate(res) {
    const d = res.headers && res.headers.get('Date')
    const t = d ? Date.parse(d) : NaN
    if (!Number.isFinite(t)) return
    // The header has whole seconds: ignore differences a truncated second explains.
    const off = t + 500 - Date.now()
    clockOffset = Math.abs(off) > 3000 ? off : 0
}

/** Epoch milliseconds now, by the server's clock (the device clock corrected). */
export function serverNow() {
    return Date.now() + clockOffset
}

export const api = {
    get: (path, query, opts = {}) => apiRequest('GET', path, { ...opts, query }),
    post: (path, body, opts = {}) => apiRequest('POST', path, { ...opts, body }),
    patch: (path, body, opts = {}) => apiRequest('PATCH', path, { ...opts, body }),
    put: (path, body, opts = {}) => apiRequest('PUT', path, { ...opts, body }),
    del: (path, opts = {}) => apiRequest('DELETE', path, opts),
}

// ---- the endpoints the screens use, named for what they return ----

export const authApi = {
    login: (username, password) =>
        api.post('/auth/login', { username, password }, { quiet: true }),
    logout: () => api.post('/auth/logout', undefined, { quiet: true }),
    /** The second step of a sign-in: the challenge of login() and the app's code. */
    loginTotp: (challenge, code) =>
        api.post('/auth/login/totp', { challenge, code }, { quiet: true }),
    me: () => api.get('/auth/me', null, { quiet: true }),
    changePassword: (oldPassword, newPassword) =>
        api.post(
            '/auth/password',
            { old_password: oldPassword, new_password: newPassword },
            { quiet: true },
        ),
    totpSetup: () => api.post('/auth/totp/setup', undefined, { quiet: true }),
    totpEnable: (code) => api.post('/auth/totp/enable', { code }, { quiet: true }),
    totpDisable: (code) => api.post('/auth/totp/disable', { code }, { quiet: true }),
}

const enc = encodeURIComponent

export const regionApi = {
    get: (code) => api.get(`/regions/${enc(code)}`),
    children: (code) => api.get(`/regions/${enc(code)}/children`),
    households: (code, cursor, limit = 20) =>
        api.get(`/regions/${enc(code)}/households`, { cursor, limit }),
    grid: (code) => api.get(`/grids/${enc(code)}`),
}

export const registryApi = {
    household: (id) => api.get(`/households/${enc(id)}`),
    person: (id) => api.get(`/people/${enc(id)}`),
    /** The full ID number and phone; `purpose` (required, ≤ 100 chars) goes into the audit row. */
    personSensitive: (id, purpose) => api.get(`/people/${enc(id)}/sensitive`, { purpose }),
    myHousehold: () => api.get('/me/household'),
    myProfile: () => api.get('/me/profile'),
}

export const userApi = {
    list: (query) => api.get('/users', query),
    create: (body, idempotencyKey) =>
        api.post('/users', body, { headers: { 'Idempotency-Key': idempotencyKey } }),
    disable: (id) => api.post(`/users/${enc(id)}/disable`),
    enable: (id) => api.post(`/users/${enc(id)}/enable`),
    resetPassword: (id) => api.post(`/users/${enc(id)}/reset-password`),
    resetTotp: (id) => api.post(`/users/${enc(id)}/reset-totp`),
}

// A county's settings (county admin): what department staff read of the registry.
export const countyApi = {
    settings: (county) => api.get(`/counties/${enc(county)}/settings`),
    putSettings: (county, body) => api.put(`/counties/${enc(county)}/settings`, body),
}

export const auditApi = {
    /** filters: {username, action, outcome, from, to, object} (each optional). */
    list: (cursor, limit = 50, filters = {}) => api.get('/audit', { ...filters, cursor, limit }),
    actions: () => api.get('/audit/actions'),
    /** The address of the CSV export with these filters (a plain GET with the session cookie). */
    exportUrl: (filters = {}) => {
        const qs = new URLSearchParams()
        for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== null && v !== '') qs.append(k, String(v))
        const q = qs.toString()
        return `${BASE}/audit.csv${q ? '?' + q : ''}`
    },
}

// Listeners told after a case was made or moved on (the inbox badge refreshes then).
const caseListeners = new Set()

/** Call fn() after every successful case create or event; returns an unsubscribe function. */
export function apiOnCaseChange(fn) {
    caseListeners.add(fn)
    return () => caseListeners.delete(fn)
}

function caseChanged(result) {
    for (const fn of caseListeners) {
        try {
            fn()
        } catch (e) {
            // A listener's failure must not fail the action.
        }
    }
    return result
}

// 民生诉求 cases: docs/CASES.md, /api/v1/case-categories, /api/v1/cases.
export const caseApi = {
    categories: () => api.get('/case-categories'),
    /** query: {state, queue: 1, cursor, limit} */
    list: (query) => api.get('/cases', query),
    get: (id) => api.get(`/cases/${enc(id)}`),
    /** The same key on a retry makes the server answer with the case it already made. */
    create: (body, idempotencyKey) =>
        api.post('/cases', body, { headers: { 'Idempotency-Key': idempotencyKey } }).then(caseChanged),
    /** One event of the state machine: {event, note?, rating?, outcome?, assignee?, photos?,
     *  into? (merge)} */
    act: (id, body) => api.post(`/cases/${enc(id)}/events`, body).then(caseChanged),
    /** A summoned department's own step on its part: {action: 'report' | 'done', note?}. */
    part: (id, dept, body) => api.post(`/cases/${enc(id)}/parts/${enc(dept)}`, body).then(caseChanged),
    /** The county's departments (whistle and dispatch targets): {items: [{code, name}]}. */
    departments: () => api.get('/departments'),
    /** A department's figures: open cases held, parts waiting, overdue, done in 30 days. */
    departmentStats: (code) => api.get(`/departments/${enc(code)}/stats`),
    /** Open cases of the same category near the same place within 72 h (merge suggestions):
     *  {items: [case list item + distance_m]} */
    similar: (id) => api.get(`/cases/${enc(id)}/similar`),
    /** Live KPIs of the caller's scope: {scope, from, to, as_of, totals, groups, overdue};
     *  query: {from, to, by: 'region' | 'category'} (default: the last 30 days, totals). */
    stats: (query) => api.get('/case-stats', query),
}

// ---- photos (随手拍 and result photos): the picture itself is the body ----

/** The server's limit on one picture. */
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024
/** Attached to one report or one step at most. */
export const PHOTO_MAX_COUNT = 6
/** What the server decodes; the pickers ask for these (iPhones then hand over JPEG, not HEIC). */
export const PHOTO_ACCEPT = 'image/jpeg,image/png,image/webp'

function photoContentType(file) {
    const t = (file && file.type) || ''
    if (/^image\/(jpeg|png|webp)$/.test(t)) return t
    if (/\.hei[cf]$/i.test((file && file.name) || '')) return 'image/heic'
    // The server looks at the bytes, not at this header: anything else is refused there with
    // its own message.
    return t || 'application/octet-stream'
}

/** An upload that moves no byte for this long is given up (a network error: retried). */
const PHOTO_STALL_MS = 90000

/**
 * Upload one picture (a File or Blob). onProgress(fraction 0..1) follows the bytes sent.
 * Resolves to {id, url, thumb_url, bytes, width, height}; rejects with ApiError (the server's
 * Chinese message, e.g. the advice for HEIC; status 0 when the network failed, or when nothing
 * moved for PHOTO_STALL_MS: on weak 4G a connection can hang without ever failing). Uses
 * XMLHttpRequest: fetch cannot report upload progress. Returns a promise with .abort() to give
 * up on it.
 */
export function photoUpload(file, onProgress) {
    let xhr = null
    let stall = null
    let stalled = false
    const p = new Promise((resolve, reject) => {
        if (file && file.size > PHOTO_MAX_BYTES) {
            reject(new ApiError(413, 'too_large', '图片过大（上限 10 MB）', 'photo'))
            return
        }
        xhr = new XMLHttpRequest()
        const moved = () => {
            clearTimeout(stall)
            stall = setTimeout(() => {
                stalled = true
                xhr.abort()
            }, PHOTO_STALL_MS)
        }
        xhr.open('POST', `${BASE}/photos`)
        xhr.setRequestHeader('Accept', 'application/json')
        xhr.setRequestHeader('X-Requested-With', 'jiceng')
        xhr.setRequestHeader('Content-Type', photoContentType(file))
        if (xhr.upload) {
            xhr.upload.onprogress = (e) => {
                moved()
                if (onProgress && e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total)
            }
        }
        xhr.onprogress = moved
        xhr.onreadystatechange = moved
        xhr.onloadend = () => clearTimeout(stall)
        xhr.onload = () => {
            let data = null
            try {
                data = xhr.responseText ? JSON.parse(xhr.responseText) : null
            } catch (e) {
                data = null
            }
            if (xhr.status >= 200 && xhr.status < 300 && data && data.id) resolve(data)
            else if (xhr.status >= 200 && xhr.status < 300) {
                reject(new ApiError(xhr.status, 'bad_response', '服务器返回的数据无法识别'))
            } else reject(failure(xhr.status, data, false))
        }
        xhr.onerror = () => reject(new ApiError(0, 'network', '网络连接失败，请检查网络后重试'))
        xhr.ontimeout = xhr.onerror
        xhr.onabort = () => {
            if (stalled) reject(new ApiError(0, 'timeout', '网络太慢，上传超时，请稍后重试'))
            else reject(new ApiError(0, 'aborted', '已取消上传'))
        }
        moved()
        xhr.send(file)
    })
    p.abort = () => {
        if (xhr) xhr.abort()
    }
    return p
}

// 我的消息: each step of a case tells its reporter and the accounts that now hold it.
export const inboxApi = {
    /** query: {unread: 1, cursor, limit}; resolves to {items, next_cursor, unread} */
    list: (query, opts) => api.get('/inbox', query, opts),
    read: (id) => api.post(`/inbox/${enc(id)}/read`),
}
