// photoUploads.js — the uploads behind a photo picker (the H5 PhotoUploader and the console's
// PhotoPicker): each picked file is shrunk on the device (photoShrink.js), then uploaded with its
// progress; an upload the network lost (no answer, or a 5xx from a proxy or a restarting server)
// is tried again by itself after 2 s, 5 s and 10 s before the tile says "tap to retry"; an answer
// of the server refusing the picture (4xx) is shown as it is and never retried.
import { ref, computed, onBeforeUnmount } from 'vue'
import { photoUpload } from './api.js'
import { shrinkPhoto } from './photoShrink.js'

/** The waits before the automatic retries of an upload the network lost. */
export const PHOTO_RETRY_DELAYS_MS = [2000, 5000, 10000]

/** Worth sending the same bytes again: the network failed, or a server or proxy in front was down. */
export function photoRetryable(err) {
    return !!err && err.code !== 'aborted' && (err.status === 0 || err.status >= 500)
}

/**
 * usePhotoUploads(onUploaded): onUploaded({id, url, thumb_url}) is called as each upload
 * succeeds. Returns {pending, busy, add(file), retry(u), remove(u)}; pending is the list of
 * uploads not done yet: {key, file, body, localUrl, status, progress, error, fatal, attempt},
 * status 'preparing' (being shrunk) | 'uploading' | 'waiting' (for an automatic retry) | 'failed'.
 * localUrl is an object URL of what is uploaded (the shrunk picture: cheaper to show than the
 * original), '' while it is being shrunk. Everything is stopped and freed on unmount.
 */
export function usePhotoUploads(onUploaded) {
    const pending = ref([])
    const busy = computed(() => pending.value.some((u) => u.status !== 'failed'))
    let nextKey = 1
    let nextRun = 1

    function add(file) {
        pending.value.push({
            key: nextKey++,
            file,
            body: null,
            localUrl: '',
            status: 'preparing',
            progress: 0,
            error: '',
            fatal: false,
            attempt: 0,
            run: 0,
            request: null,
            timer: null,
        })
        // The reactive proxy, so that changes show on the tile.
        const u = pending.value[pending.value.length - 1]
        run(u)
        return u
    }

    /** A tap on a failed tile: the same bytes again (with their own automatic retries). */
    function retry(u) {
        if (u && u.status === 'failed' && !u.fatal) run(u)
    }

    /** Give up on an upload: stop it, forget it, free its preview. */
    function remove(u) {
        u.run = 0
        if (u.request) u.request.abort()
        if (u.timer) clearTimeout(u.timer)
        u.timer = null
        const i = pending.value.indexOf(u)
        if (i >= 0) pending.value.splice(i, 1)
        freeUrl(u)
    }

    async function run(u) {
        const id = nextRun++
        u.run = id
        const current = () => u.run === id && pending.value.includes(u)
        u.error = ''
        u.fatal = false
        u.progress = 0
        if (!u.body) {
            u.status = 'preparing'
            const out = await shrinkPhoto(u.file)
            if (!current()) return
            u.body = out.blob
            u.localUrl = objectUrl(u.body)
        }
        for (u.attempt = 0; ; u.attempt++) {
            u.status = 'uploading'
            u.progress = 0
            const req = photoUpload(u.body, (f) => {
                if (current()) u.progress = Math.min(0.99, f)
            })
            u.request = req
            let err = null
            let photo = null
            try {
                photo = await req
            } catch (e) {
                err = e
            } finally {
                if (u.request === req) u.request = null
            }
            if (!current()) return
            if (!err) {
                remove(u)
                onUploaded({ id: photo.id, url: photo.url, thumb_url: photo.thumb_url })
                return
            }
            if (err.code === 'aborted') return
            const wait = PHOTO_RETRY_DELAYS_MS[u.attempt]
            if (photoRetryable(err) && wait !== undefined) {
                u.status = 'waiting'
                u.error = err.message
                await new Promise((resolve) => (u.timer = setTimeout(resolve, wait)))
                u.timer = null
                if (!current()) return
                continue
            }
            u.status = 'failed'
            u.error = err.handled ? '登录已失效，请重新登录后再上传' : err.message
            // The server refused the picture itself (HEIC, not a picture, too big): trying the
            // same bytes again cannot help.
            u.fatal = err.status === 400 || err.status === 413 || err.status === 415
            return
        }
    }

    onBeforeUnmount(() => {
        for (const u of pending.value.slice()) remove(u)
    })

    return { pending, busy, add, retry, remove }
}

function objectUrl(blob) {
    try {
        return URL.createObjectURL(blob)
    } catch (e) {
        return ''
    }
}

function freeUrl(u) {
    if (!u.localUrl) return
    try {
        URL.revokeObjectURL(u.localUrl)
    } catch (e) {
        // Nothing to free.
    }
    u.localUrl = ''
}
