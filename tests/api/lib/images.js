// images.js — real image bytes for photo tests, made here without dependencies: a PNG written
// with node:zlib, and EXIF (with a GPS block and an orientation) spliced into a JPEG.
import zlib from 'node:zlib';

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A width × height PNG (RGB, or RGBA with alpha) with a gradient, so it is not blank. With
 * stored, the pixels are not compressed (a big file from a small picture: slow-upload tests). */
export function png(width = 64, height = 32, { alpha = false, seed = 0, stored = false } = {}) {
  const bpp = alpha ? 4 : 3;
  const raw = Buffer.alloc((width * bpp + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * bpp + 1);
    raw[row] = 0;
    for (let x = 0; x < width; x++) {
      const p = row + 1 + x * bpp;
      raw[p] = (x * 4 + seed) & 0xff;
      raw[p + 1] = (y * 8) & 0xff;
      raw[p + 2] = ((x + y) * 2 + seed * 7) & 0xff;
      if (alpha) raw[p + 3] = x < width / 2 ? 255 : 64;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = alpha ? 6 : 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: stored ? 0 : zlib.constants.Z_DEFAULT_COMPRESSION })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The text put into EXIF by withExif: the test looks for it in what the server returns. */
export const EXIF_MARK = 'GPS-41.9N-116.4E-SECRET';

/**
 * jpeg with an APP1 EXIF segment right after SOI: ImageDescription = EXIF_MARK, Orientation 6
 * (rotate 90° to show upright), and a GPS IFD with a latitude reference.
 */
export function withExif(jpeg) {
  // Little-endian TIFF: header, IFD0 (3 entries), GPS IFD (1 entry), then the string.
  const desc = Buffer.from(EXIF_MARK + '\0', 'ascii');
  const ifd0 = 8, ifd0Size = 2 + 3 * 12 + 4, gps = ifd0 + ifd0Size, gpsSize = 2 + 12 + 4;
  const strOff = gps + gpsSize;
  const t = Buffer.alloc(strOff + desc.length);
  t.write('II', 0, 'ascii');
  t.writeUInt16LE(42, 2);
  t.writeUInt32LE(ifd0, 4);
  t.writeUInt16LE(3, ifd0);
  let e = ifd0 + 2;
  const entry = (tag, type, count, value) => {
    t.writeUInt16LE(tag, e);
    t.writeUInt16LE(type, e + 2);
    t.writeUInt32LE(count, e + 4);
    if (typeof value === 'number') t.writeUInt32LE(value, e + 8);
    else value.copy(t, e + 8);
    e += 12;
  };
  entry(0x010e, 2, desc.length, strOff); // ImageDescription
  entry(0x0112, 3, 1, 6); // Orientation: 6
  entry(0x8825, 4, 1, gps); // GPS IFD pointer
  t.writeUInt32LE(0, e);
  e = gps;
  t.writeUInt16LE(1, e);
  e += 2;
  entry(0x0001, 2, 2, Buffer.from('N\0\0\0', 'ascii')); // GPSLatitudeRef
  t.writeUInt32LE(0, e);
  desc.copy(t, strOff);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), t]);
  const seg = Buffer.alloc(4);
  seg[0] = 0xff;
  seg[1] = 0xe1;
  seg.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), seg, body, jpeg.subarray(2)]);
}

/** Width and height from a baseline or progressive JPEG's SOF marker. */
export function jpegSize(buf) {
  let i = 2;
  while (i < buf.length) {
    if (buf[i] !== 0xff) return null;
    const m = buf[i + 1];
    const len = buf.readUInt16BE(i + 2);
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc)
      return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  return null;
}
