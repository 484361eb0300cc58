import { createHash, type KeyObject } from 'node:crypto';
import { IsNull } from 'typeorm';
import { SigningKeyEntity } from '../../entities';
import type { Clock } from '../clock';
import type { Database, Transaction } from '../database';
import { generateEcKeyPair, JWT_ALGORITHM, privateKeyFromDer, publicKeyFromJwk, signJwt, verifyJwt, type JwtClaims } from './jwt';
import type { MasterKey } from './master-key';
import { activeTokenSql } from '../tokens';

export interface VerifyOptions {
  issuer: string;
  audience?: string;
  /** The `typ` header the token must carry, e.g. `at+jwt`. */
  type: string;
}

/** Members a JWK may hold only in a private key (RFC 7517/7518): never published. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** How long an instance trusts its cached view of which key is current (another may rotate). */
const KEY_RECHECK_MS = 10_000;
/** Leeway for clocks that disagree a little, per RFC 7519 §4.1.4 practice. */
const CLOCK_SKEW_SECONDS = 30;
/** Tokens whose signature this instance has checked, kept until they expire (introspection repeats). */
const MAX_VERIFIED = 10_000;

interface Verified {
  claims: JwtClaims;
  kid: string;
  /** What the token was checked against: issuer, audience and `typ`. */
  expected: string;
}

/**
 * The gateway's signing keys: one current ES256 key signs; retired keys stay published (and valid
 * for verification) until the last unrevoked token they signed has expired. JWKS consumers verify
 * offline. Every instance re-reads which key is current at least every 10 s.
 */
export class SigningService {
  private current?: { kid: string; key: KeyObject; loadedAt: number };
  /** Public keys by kid; `publishUntil` null while the key is current. */
  private readonly publicKeys = new Map<string, { key: KeyObject; publishUntil: Date | null; checkedAt: number }>();
  /** By SHA-256 of the whole compact token: an ES256 check costs more than the rest of an introspection. */
  private readonly verified = new Map<string, Verified>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly masterKey: () => MasterKey,
  ) {}

  /** Signs claims with the current key (creating the first key on first use). */
  async sign(claims: JwtClaims, type: string): Promise<{ token: string; kid: string }> {
    const current = await this.currentKey();
    return { token: await signJwt({ typ: type, kid: current.kid }, claims, current.key), kid: current.kid };
  }

  /**
   * The verified claims, or null for anything malformed, unsigned, signed with another algorithm or
   * an unknown or unpublished key, of the wrong type or issuer or audience, expired or not yet valid.
   */
  async verify(token: string, options: VerifyOptions): Promise<JwtClaims | null> {
    if (typeof token !== 'string') return null;
    const now = this.clock.now();
    const expected = `${options.issuer}\n${options.audience ?? ''}\n${options.type}`;
    const digest = createHash('sha256').update(token).digest('base64');
    const seen = this.verified.get(digest);
    // The signature holds for good; what can change is time and whether its key is still published.
    if (seen && seen.expected === expected && stillValid(seen.claims, now) && (await this.publicKey(seen.kid))) return seen.claims;
    if (seen) this.verified.delete(digest);
    let kid = '';
    const claims = await verifyJwt(token, {
      issuer: options.issuer,
      audience: options.audience,
      type: options.type,
      now,
      clockToleranceSeconds: CLOCK_SKEW_SECONDS,
      keyFor: (id) => ((kid = id), this.publicKey(id)),
    });
    if (claims) {
      if (this.verified.size >= MAX_VERIFIED) this.forgetExpired(now);
      this.verified.set(digest, { claims: Object.freeze(claims), kid, expected });
    }
    return claims;
  }

  /**
   * Drops expired entries, then the oldest until a tenth is free: the scan runs once per thousand
   * new tokens at most, not on every one while full.
   */
  private forgetExpired(now: Date): void {
    for (const [digest, entry] of this.verified) if (!stillValid(entry.claims, now)) this.verified.delete(digest);
    for (const digest of this.verified.keys()) {
      if (this.verified.size < MAX_VERIFIED * 0.9) break;
      this.verified.delete(digest);
    }
  }

  /** The JSON Web Key Set: public halves of every key still published. */
  async jwks(): Promise<{ keys: Record<string, unknown>[] }> {
    await this.currentKey();
    const rows = await this.publishedKeys();
    const publicMembers = (jwk: Record<string, unknown>) => Object.fromEntries(Object.entries(jwk).filter(([member]) => !PRIVATE_JWK_MEMBERS.includes(member)));
    return { keys: rows.map((r) => ({ ...publicMembers(r.publicJwk), kid: r.kid, alg: r.alg, use: 'sig' })) };
  }

  /**
   * Starts signing with a new key at once (inside the rotating act's change; caches drop at commit). The old key stays published until the last unrevoked
   * token it signed expires (from the token table), then leaves the key set.
   */
  async rotate(tx: Transaction): Promise<string> {
    const now = this.clock.now();
    const { manager } = tx;
    await manager.query('SELECT pg_advisory_xact_lock(7304402)');
    const olds = await manager.find(SigningKeyEntity, { where: { retiredAt: IsNull() } });
    for (const old of olds) {
      old.retiredAt = now;
      await manager.save(old);
    }
    const created = await manager.save(this.newKeyRow(now));
    tx.afterCommit(() => {
      this.current = undefined;
      this.publicKeys.clear();
    });
    return created.kid;
  }

  /** The kids of every key still published. */
  async publishedKids(): Promise<string[]> {
    return (await this.publishedKeys()).map((k) => k.kid);
  }

  /**
   * Keys still published: the current one, and retired ones while an unrevoked token they signed
   * is unexpired. Computed from the token table, so it is right on every instance, whoever rotated
   * and whichever instance signed last.
   */
  private async publishedKeys(): Promise<SigningKeyEntity[]> {
    return this.db.manager
      .createQueryBuilder(SigningKeyEntity, 'k')
      .where('k.retired_at IS NULL')
      .orWhere(`EXISTS (SELECT 1 FROM access_token t WHERE t.kid = k.kid AND ${activeTokenSql('t', ':now')})`, { now: this.clock.now() })
      .orderBy('k.created_at', 'DESC')
      .getMany();
  }

  /** When a key leaves the key set: null while it is current, else the expiry of its last live token. */
  private async publishedUntil(kid: string): Promise<{ retired: boolean; until: Date | null }> {
    const [row] = await this.db.dataSource.query(
      `SELECT k.retired_at IS NOT NULL AS retired,
              (SELECT max(t.expires_at) FROM access_token t WHERE t.kid = k.kid AND t.revoked_at IS NULL) AS until
         FROM signing_key k WHERE k.kid = $1`,
      [kid],
    );
    if (!row) return { retired: true, until: new Date(0) };
    return { retired: Boolean(row.retired), until: row.until ? new Date(row.until) : new Date(0) };
  }

  private async publicKey(kid: string): Promise<KeyObject | null> {
    if (!/^[0-9a-f-]{36}$/.test(kid)) return null;
    const now = this.clock.now().getTime();
    let cached = this.publicKeys.get(kid);
    // Re-read when the cached answer may be stale: a current key may have been retired elsewhere,
    // a retired key's window may have been extended by a token another instance signed.
    const stale = !cached || (cached.publishUntil === null ? now - cached.checkedAt >= KEY_RECHECK_MS : cached.publishUntil.getTime() <= now);
    if (stale) {
      const row = cached ? null : await this.db.manager.findOne(SigningKeyEntity, { where: { kid } });
      if (!cached && !row) return null;
      const { retired, until } = await this.publishedUntil(kid);
      cached = { key: cached?.key ?? publicKeyFromJwk(row!.publicJwk), publishUntil: retired ? until : null, checkedAt: now };
      this.publicKeys.set(kid, cached);
    }
    if (cached!.publishUntil && cached!.publishUntil.getTime() <= now) return null;
    return cached!.key;
  }

  private async currentKey(): Promise<{ kid: string; key: KeyObject }> {
    const now = this.clock.now().getTime();
    if (this.current && now - this.current.loadedAt < KEY_RECHECK_MS) return this.current;
    const row = await this.db.transaction(async ({ manager }) => {
      await manager.query('SELECT pg_advisory_xact_lock(7304402)');
      const existing = await manager.findOne(SigningKeyEntity, { where: { retiredAt: IsNull() }, order: { createdAt: 'DESC' } });
      return existing ?? manager.save(this.newKeyRow(this.clock.now()));
    });
    const key = this.current?.kid === row.kid ? this.current.key : privateKeyFromDer(this.masterKey().decrypt(row.privateKeyEncrypted));
    this.current = { kid: row.kid, key, loadedAt: now };
    return this.current;
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
    });
  }
}

/** The time checks of `verifyJwt`, for a token whose signature, type, issuer and audience already held. */
function stillValid(claims: JwtClaims, now: Date): boolean {
  const seconds = now.getTime() / 1000;
  if (typeof claims.exp !== 'number' || claims.exp <= seconds - CLOCK_SKEW_SECONDS) return false;
  if (typeof claims.nbf === 'number' && claims.nbf > seconds + CLOCK_SKEW_SECONDS) return false;
  return !(typeof claims.iat === 'number' && claims.iat > seconds + CLOCK_SKEW_SECONDS);
}
