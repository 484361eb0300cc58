import type { KeyObject } from 'node:crypto';
import { IsNull, MoreThan, Or } from 'typeorm';
import { SigningKeyEntity } from '../../entities';
import type { Clock } from '../clock';
import type { Database } from '../database';
import { decodeJwt, generateEcKeyPair, JWT_ALGORITHM, privateKeyFromDer, publicKeyFromJwk, signJwt, verifySignature, type JwtClaims } from './jwt';
import type { MasterKey } from './master-key';

export interface VerifyOptions {
  issuer: string;
  audience?: string;
  /** The `typ` header the token must carry, e.g. `at+jwt`. */
  type: string;
}

/** Leeway for clocks that disagree a little, per RFC 7519 §4.1.4 practice. */
const CLOCK_SKEW_SECONDS = 30;

/**
 * The gateway's signing keys: one current ES256 key signs; retired keys stay published (and valid
 * for verification) until the last token they signed has expired. JWKS consumers verify offline.
 */
export class SigningService {
  private current?: { kid: string; key: KeyObject };
  private readonly publicKeys = new Map<string, { key: KeyObject; publishUntil: Date | null }>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly masterKey: () => MasterKey,
  ) {}

  /** Signs claims with the current key (creating the first key on first use). */
  async sign(claims: JwtClaims, type: string): Promise<{ token: string; kid: string }> {
    const current = await this.currentKey();
    return { token: signJwt({ alg: JWT_ALGORITHM, typ: type, kid: current.kid }, claims, current.key), kid: current.kid };
  }

  /**
   * The verified claims, or null for anything malformed, unsigned, signed with another algorithm or
   * an unknown or unpublished key, of the wrong type or issuer or audience, expired or not yet valid.
   */
  async verify(token: string, options: VerifyOptions): Promise<JwtClaims | null> {
    const decoded = decodeJwt(token);
    if (!decoded) return null;
    const { header, claims } = decoded;
    if (header.alg !== JWT_ALGORITHM || header.typ !== options.type || typeof header.kid !== 'string') return null;
    const key = await this.publicKey(header.kid);
    if (!key || !verifySignature(decoded, key)) return null;
    const now = Math.floor(this.clock.now().getTime() / 1000);
    if (claims.iss !== options.issuer) return null;
    if (options.audience !== undefined) {
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!audiences.includes(options.audience)) return null;
    }
    if (typeof claims.exp !== 'number' || claims.exp <= now - CLOCK_SKEW_SECONDS) return null;
    if (typeof claims.nbf === 'number' && claims.nbf > now + CLOCK_SKEW_SECONDS) return null;
    if (typeof claims.iat === 'number' && claims.iat > now + CLOCK_SKEW_SECONDS) return null;
    return claims;
  }

  /** The JSON Web Key Set: public halves of every key still published. */
  async jwks(): Promise<{ keys: Record<string, unknown>[] }> {
    await this.currentKey();
    const rows = await this.publishedKeys();
    return { keys: rows.map((r) => ({ ...r.publicJwk, kid: r.kid, alg: r.alg, use: 'sig' })) };
  }

  /**
   * Starts signing with a new key at once. The old key stays published until the last unrevoked
   * token it signed expires (from the token table), then leaves the key set.
   */
  async rotate(): Promise<{ kid: string; publishedKids: string[] }> {
    const now = this.clock.now();
    const created = await this.db.transaction(async ({ manager }) => {
      await manager.query('SELECT pg_advisory_xact_lock(7304402)');
      const olds = await manager.find(SigningKeyEntity, { where: { retiredAt: IsNull() } });
      for (const old of olds) {
        const [{ last }] = await manager.query('SELECT max(expires_at) AS last FROM access_token WHERE kid = $1 AND revoked_at IS NULL', [old.kid]);
        old.retiredAt = now;
        old.publishUntil = last && new Date(last) > now ? new Date(last) : now;
        await manager.save(old);
      }
      return manager.save(this.newKeyRow(now));
    });
    this.current = undefined;
    this.publicKeys.clear();
    const published = await this.publishedKeys();
    return { kid: created.kid, publishedKids: published.map((k) => k.kid) };
  }

  private async publishedKeys(): Promise<SigningKeyEntity[]> {
    return this.db.manager.find(SigningKeyEntity, {
      where: { publishUntil: Or(IsNull(), MoreThan(this.clock.now())) },
      order: { createdAt: 'DESC' },
    });
  }

  private async publicKey(kid: string): Promise<KeyObject | null> {
    let cached = this.publicKeys.get(kid);
    if (!cached) {
      // Unknown here: another instance may have rotated; the table is the truth.
      if (!/^[0-9a-f-]{36}$/.test(kid)) return null;
      const row = await this.db.manager.findOne(SigningKeyEntity, { where: { kid } });
      if (!row) return null;
      cached = { key: publicKeyFromJwk(row.publicJwk), publishUntil: row.publishUntil };
      this.publicKeys.set(kid, cached);
    }
    if (cached.publishUntil && cached.publishUntil <= this.clock.now()) return null;
    return cached.key;
  }

  private async currentKey(): Promise<{ kid: string; key: KeyObject }> {
    if (this.current) return this.current;
    const row = await this.db.transaction(async ({ manager }) => {
      await manager.query('SELECT pg_advisory_xact_lock(7304402)');
      const existing = await manager.findOne(SigningKeyEntity, { where: { retiredAt: IsNull() }, order: { createdAt: 'DESC' } });
      return existing ?? manager.save(this.newKeyRow(this.clock.now()));
    });
    this.current = { kid: row.kid, key: privateKeyFromDer(this.masterKey().decrypt(row.privateKeyEncrypted)) };
    return this.current;
  }

  /** Forget cached keys (another instance rotated). */
  invalidate(): void {
    this.current = undefined;
    this.publicKeys.clear();
  }

  private newKeyRow(now: Date): SigningKeyEntity {
    const { privateKey, publicKey, kid } = generateEcKeyPair();
    const der = privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer;
    return Object.assign(new SigningKeyEntity(), {
      kid,
      alg: JWT_ALGORITHM,
      publicJwk: publicKey.export({ format: 'jwk' }) as Record<string, unknown>,
      privateKeyEncrypted: this.masterKey().encrypt(der),
      createdAt: now,
      retiredAt: null,
      publishUntil: null,
    });
  }
}
