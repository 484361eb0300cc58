import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { decodeJwt as decodeClaims, decodeProtectedHeader, errors, jwtVerify } from 'jose';

/**
 * Compact JWS with ES256 only, verified by `jose`. The checks RFC 8725 asks for are
 * jose's options here: one allowed algorithm (no `none`, no switching), an explicit `typ`, the
 * expected issuer and audience, a required `exp`.
 */
export const JWT_ALGORITHM = 'ES256';

/** Compact JWS longer than this is refused before any parsing (keygate's own tokens are < 1 KiB). */
const MAX_TOKEN_LENGTH = 8192;

export interface JwtHeader {
  alg: string;
  typ?: string;
  kid?: string;
}

export type JwtClaims = Record<string, unknown> & {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  iat?: number;
  nbf?: number;
  exp?: number;
  jti?: string;
};

export function generateEcKeyPair(): { privateKey: KeyObject; publicKey: KeyObject; kid: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKey, kid: randomUUID() };
}

export function privateKeyFromDer(der: Buffer): KeyObject {
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

export function publicKeyFromJwk(jwk: Record<string, unknown>): KeyObject {
  return createPublicKey({ key: jwk as never, format: 'jwk' });
}

/**
 * A compact JWS (RFC 7515 §7.1) signed with ES256 by node:crypto directly: the signature in the
 * IEEE P1363 form JWA asks for (RFC 7518 §3.4). Signing is on every grant's path, and WebCrypto's
 * asynchronous job (jose's way) costs about four times the signature itself; verification, where
 * every check matters, stays jose's.
 */
export async function signJwt(header: Required<Pick<JwtHeader, 'typ' | 'kid'>>, claims: JwtClaims, privateKey: KeyObject): Promise<string> {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signingInput = `${encode({ alg: JWT_ALGORITHM, typ: header.typ, kid: header.kid })}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Header and claims of a compact JWS, trusting nothing; null for anything that is not one. */
export function decodeJwt(token: string): { header: JwtHeader; claims: JwtClaims } | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || token.split('.').length !== 3) return null;
  try {
    return { header: decodeProtectedHeader(token) as JwtHeader, claims: decodeClaims(token) as JwtClaims };
  } catch {
    return null;
  }
}

export interface JwtCheck {
  issuer: string;
  audience?: string;
  /** The `typ` header the token must carry, e.g. `at+jwt`. */
  type: string;
  now: Date;
  clockToleranceSeconds: number;
  /** The public key for a `kid`, or null when that key is unknown or no longer published. */
  keyFor(kid: string): Promise<KeyObject | null>;
}

/**
 * The verified claims, or null for a token that is malformed, unsigned, signed with another
 * algorithm or by an unknown key, of another type, issuer or audience, expired, not yet valid, or
 * issued in the future.
 */
export async function verifyJwt(token: string, check: JwtCheck): Promise<JwtClaims | null> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  // A failure to look a key up (the database) is the gateway's, not the token's: it propagates.
  let lookupFailure: { error: unknown } | undefined;
  try {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        let key: KeyObject | null = null;
        try {
          key = typeof header.kid === 'string' ? await check.keyFor(header.kid) : null;
        } catch (error) {
          lookupFailure = { error };
          throw error;
        }
        if (!key) throw new errors.JWKSNoMatchingKey();
        return key;
      },
      {
        algorithms: [JWT_ALGORITHM],
        typ: check.type,
        issuer: check.issuer,
        audience: check.audience,
        requiredClaims: ['exp'],
        currentDate: check.now,
        clockTolerance: check.clockToleranceSeconds,
      },
    );
    // jose checks `iat` is a number; a token from the future is refused here.
    if (typeof payload.iat === 'number' && payload.iat > check.now.getTime() / 1000 + check.clockToleranceSeconds) return null;
    return payload as JwtClaims;
  } catch {
    if (lookupFailure) throw lookupFailure.error;
    return null;
  }
}
