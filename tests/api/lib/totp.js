// totp.js — RFC 6238 codes computed in the test, from the secret the server hands out at setup
// (HMAC-SHA1 of the 30-second step, dynamic truncation, 6 digits), with node:crypto only.
import { createHmac } from 'node:crypto';

/** Decode RFC 4648 base32 (upper case, no padding needed). */
export function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const ch of s.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The time step of a moment (ms): floor(seconds / 30). */
export const stepOf = (ms = Date.now()) => Math.floor(ms / 1000 / 30);

/** The 6-digit code of a base32 secret for a time step (default: now). */
export function totpCode(secret, step = stepOf()) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const off = h[h.length - 1] & 0x0f;
  const bin = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
  return String(bin % 1e6).padStart(6, '0');
}

/** A 6-digit code that is none of the codes the server would accept now (±1 step). */
export function wrongCode(secret) {
  const good = new Set([-1, 0, 1].map((d) => totpCode(secret, stepOf() + d)));
  for (let i = 0; ; i++) {
    const c = String((123456 + i * 7919) % 1e6).padStart(6, '0');
    if (!good.has(c)) return c;
  }
}

/** Wait until the clock is in a later step than `step` (at most 30 s). */
export async function waitForStepAfter(step) {
  while (stepOf() <= step) await new Promise((r) => setTimeout(r, 250));
}
