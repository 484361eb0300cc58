import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * keygate secrets look like `kg<kind>_<43 base62 chars of 256 random bits><6 base62 chars of CRC-32>`,
 * e.g. `kgat_3xQ...`. The prefix lets secret scanners recognise a leaked value and tells the
 * gateway which table to look in; the checksum rejects typos and random strings before any
 * database lookup.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_BYTES = 32;
const BODY_LENGTH = 43; // ceil(256 / log2(62))
const CHECKSUM_LENGTH = 6;
const SECRET_PATTERN = /^kg([a-z]{2,4})_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/;

export const SECRET_KINDS = {
  operator: 'op',
  refreshToken: 'rt',
  accessToken: 'at',
  serviceAccountSecret: 'sa',
  personalAccessToken: 'pat',
  clientSecret: 'cs',
} as const;
export type SecretKind = (typeof SECRET_KINDS)[keyof typeof SECRET_KINDS];

function toBase62(bytes: Buffer, length: number): string {
  let value = BigInt('0x' + (bytes.length ? bytes.toString('hex') : '0'));
  let out = '';
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function checksum(prefixAndBody: string): string {
  const buf = Buffer.alloc(4);
  buf.writeUInt32BE(crc32(prefixAndBody));
  return toBase62(buf, CHECKSUM_LENGTH);
}

export function generateSecret(kind: SecretKind): string {
  const body = toBase62(randomBytes(RANDOM_BYTES), BODY_LENGTH);
  const head = `kg${kind}_${body}`;
  return head + checksum(head);
}

/** The kind of a well-formed secret whose checksum matches, or null for anything else. */
export function parseSecret(value: string): { kind: string } | null {
  if (typeof value !== 'string' || value.length > 64) return null;
  const match = SECRET_PATTERN.exec(value);
  if (!match) return null;
  const head = `kg${match[1]}_${match[2]}`;
  if (!constantTimeEqual(checksum(head), match[3])) return null;
  return { kind: match[1] };
}

/** Secrets are 256-bit random, so one fast hash is enough: nothing to brute-force. */
export function hashSecret(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

export function verifySecret(value: string, storedHash: string): boolean {
  return constantTimeEqual(hashSecret(value), storedHash);
}
