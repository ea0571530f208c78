// photoShrink.js — make a picked photo small enough for weak village 4G before it is uploaded:
// the long side at most 2048 px (what the server keeps anyway), JPEG at quality 0.85, so a
// 12-megapixel phone photo of several MB goes up as a few hundred KB.
//
// The photo is decoded with EXIF orientation applied (createImageBitmap 'from-image', else an
// <img>, which Chrome ≥ 81 and Safari ≥ 13.1 draw upright), drawn on a canvas on white (JPEG
// has no transparency) and exported. The original is kept:
//   - when it is already small: long side ≤ 2048 px and ≤ 1.5 MB (a JPEG is not compressed a
//     second time; a small PNG or WebP is not worth converting);
//   - when the browser cannot decode it (HEIC on Chrome, a file that is not a picture): the
//     server then refuses it with its own advice in Chinese, which the person reads on the tile;
//   - when anything goes wrong on the way (no canvas memory, toBlob gives nothing, a decoder that
//     never answers), or the result would not be smaller.
// Photos are shrunk one at a time (a cheap phone has memory for one decoded 12-megapixel
// picture, not six), and the bitmap and canvas are freed as soon as the JPEG is out.

/** The longest side the server keeps (IMAGE_FULL_EDGE in src/lib/image.h). */
export const SHRINK_MAX_SIDE = 2048
export const SHRINK_QUALITY = 0.85
/** A picture within SHRINK_MAX_SIDE and at most this size is uploaded as it is. */
export const SHRINK_KEEP_BYTES = 1.5 * 1024 * 1024
/** A decoder that has not answered by then is given up on (the original is uploaded). */
const DECODE_TIMEOUT_MS = 30000

let queue = Promise.resolve()

/**
 * What to upload for a picked file: resolves to {blob, shrunk, width, height} — blob is a new
 * JPEG when shrunk, else the file itself (width and height 0 when it could not be decoded).
 * Never rejects. Calls are served one after the other.
 */
export function shrinkPhoto(file) {
    const run = queue.then(() => shrinkNow(file))
    queue = run.catch(() => {})
    return run
}

async function shrinkNow(file) {
    const keep = (width = 0, height = 0) => ({ blob: file, shrunk: false, width, height })
    if (typeof document === 'undefined' || !file || !file.size) return keep()
    let pic = null
    try {
        pic = await decode(file)
    } catch (e) {
        pic = null
    }
    if (!pic) return keep()
    let canvas = null
    try {
        const { width, height } = pic
        const long = Math.max(width, height)
        if (!width || !height) return keep()
        if (long <= SHRINK_MAX_SIDE && file.size <= SHRINK_KEEP_BYTES) return keep(width, height)
        const scale = Math.min(1, SHRINK_MAX_SIDE / long)
        const w = Math.max(1, Math.round(width * scale))
        const h = Math.max(1, Math.round(height * scale))
        canvas = document.createElement('canvas')
        canvas.width = w
        canvas.height = h
        const ctx = canvas.getContext('2d')
        if (!ctx) return keep(width, height)
        ctx.fillStyle = '#fff'
        ctx.fillRect(0, 0, w, h)
        ctx.imageSmoothingEnabled = true
        ctx.imageSmoothingQuality = 'high'
        ctx.drawImage(pic.source, 0, 0, w, h)
        pic.free() // the decoded original is no longer needed while the JPEG is encoded
        pic = null
        const blob = await toJpeg(canvas)
        // Not smaller and not resized: re-encoding only loses quality.
        if (!blob || (scale === 1 && blob.size >= file.size)) return keep(width, height)
        return { blob, shrunk: true, width: w, height: h }
    } catch (e) {
        return keep()
    } finally {
        if (pic) pic.free()
        if (canvas) {
            // Releases the backing store at once (Safari keeps it until the element is collected).
            canvas.width = 0
            canvas.height = 0
        }
    }
}

function toJpeg(canvas) {
    return new Promise((resolve) => {
        try {
            canvas.toBlob((b) => resolve(b && b.size ? b : null), 'image/jpeg', SHRINK_QUALITY)
        } catch (e) {
            resolve(null)
        }
    })
}

/** {source, width, height, free()} upright, or null when this browser cannot decode the file. */
async function decode(file) {
    if (typeof createImageBitmap === 'function') {
        const bitmap = await withTimeout(bitmapOf(file), (b) => b && b.close && b.close())
        if (bitmap) {
            return {
                source: bitmap,
                width: bitmap.width,
                height: bitmap.height,
                free: () => bitmap.close && bitmap.close(),
            }
        }
        // Some browsers ship createImageBitmap but cannot decode a Blob with it: try an <img>.
    }
    return withTimeout(imageOf(file), (pic) => pic && pic.free())
}

async function bitmapOf(file) {
    try {
        return await createImageBitmap(file, { imageOrientation: 'from-image' })
    } catch (e) {
        // Older browsers know the option only as 'none' (which already meant "as the EXIF says")
        // and throw a TypeError for the new name; a picture they cannot decode throws too.
        if (!(e instanceof TypeError)) return null
    }
    try {
        return await createImageBitmap(file)
    } catch (e) {
        return null
    }
}

function imageOf(file) {
    return new Promise((resolve) => {
        let url = ''
        try {
            url = URL.createObjectURL(file)
        } catch (e) {
            resolve(null)
            return
        }
        const img = new Image()
        const free = () => {
            img.onload = img.onerror = null
            img.removeAttribute('src')
            try {
                URL.revokeObjectURL(url)
            } catch (e) {
                // Nothing to free.
            }
        }
        img.onload = () => {
            const width = img.naturalWidth
            const height = img.naturalHeight
            if (!width || !height) {
                free()
                resolve(null)
                return
            }
            resolve({ source: img, width, height, free })
        }
        img.onerror = () => {
            free()
            resolve(null)
        }
        img.src = url
    })
}

/** The promise's value, or null after DECODE_TIMEOUT_MS (a late value is then handed to late()). */
function withTimeout(promise, late) {
    return new Promise((resolve) => {
        let done = false
        const timer = setTimeout(() => {
            done = true
            resolve(null)
        }, DECODE_TIMEOUT_MS)
        promise.then(
            (v) => {
                if (done) {
                    late(v)
                    return
                }
                done = true
                clearTimeout(timer)
                resolve(v)
            },
            () => {
                if (done) return
                done = true
                clearTimeout(timer)
                resolve(null)
            },
        )
    })
}
