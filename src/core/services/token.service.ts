import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { JwtClaims, SigningService, VerifyOptions } from '../signing';
import { AccessTokenEntity, PrincipalEntity, RefreshTokenEntity } from '../../entities';
import type { Additions, ChangeScope } from '../change';
import type { Clock } from '../clock';
import type { ProviderDescriptor } from '../context';
import { entityColumns, entityOf, type Database, type PreparedStatement } from '../database';
import { badInput, notFound } from '../errors';
import { EvictedCache, type EventService, type NewTokenEvent } from '../events';
import { generateSecret, hashSecret, parseSecret, SECRET_KINDS, type Issued, type SecretKind } from '../secrets';
import { activeTokenSql, expiryFrom, tokenStatus, type TokenStatus } from '../tokens';
import { unwrapRows } from '../principals/principal.service';
import { isUuid } from './pagination';

export interface IssueAccessTokenOptions {
  /** How the provider calls this token (access, api_token, personal, exchanged, …). */
  kind: string;
  /** Key into the provider's lifespans; defaults to `kind`. */
  lifespanKey?: string;
  /** Overrides the provider's lifespan, in seconds (`null`: never expires). */
  lifespanSeconds?: number | null;
  refreshTokenId?: string | null;
  name?: string | null;
  secretKind?: SecretKind;
  /** Revoke the refresh token's other active access tokens in the same transaction (regenerate). */
  replaceExisting?: boolean;
}

/** A signed token (JWT) made before its change begins: signing may load a key, which needs the database. */
export interface SignedToken {
  token: string;
  kid: string;
  jti: string;
  issuedAt: Date;
  expiresAt: Date;
  kind: string;
}

export interface TokenWithOwner {
  token: AccessTokenEntity;
  /** Null once the owner is deleted. */
  owner: PrincipalEntity | null;
}

/** A signed token found active, with its claims, its row's id and its owner. */
export interface ActiveSignedToken {
  claims: JwtClaims;
  tokenId: string;
  owner: PrincipalEntity;
}

/** What makes a signed token one of a provider's own: its signature's issuer, type and audience, and its row's provider and kinds. */
export interface SignedTokenExpectation {
  verify: VerifyOptions;
  provider: string;
  kind: string;
  ownerKind: string;
}

/** RFC 7662's answer: the claims of an active token, or `{active: false}` and nothing else. */
export function introspectionResponse(active: ActiveSignedToken | null) {
  if (!active) return { active: false as const };
  const { claims } = active;
  return {
    active: true as const,
    client_id: claims.client_id as string,
    sub: claims.sub as string,
    exp: claims.exp as number,
    iat: claims.iat as number,
    iss: claims.iss as string,
    aud: claims.aud as string | string[],
    jti: claims.jti as string,
    token_type: 'Bearer' as const,
  };
}

export type AnyToken = { type: 'refresh'; token: RefreshTokenEntity } | { type: 'access'; token: AccessTokenEntity };
type Table = 'access_token' | 'refresh_token';

/** Tokens: the one place that reads and writes `refresh_token` and `access_token`. */
export class TokenService {
  private prepared?: Record<'byJti' | 'bySecretHash' | 'byId', PreparedStatement>;
  private rowCache?: EvictedCache<TokenWithOwner>;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly signing: SigningService,
    private readonly lifespanOverrides: Readonly<Record<string, Readonly<Record<string, number | null>>>> = {},
  ) {}

  lifespan(provider: ProviderDescriptor, key: string): number | null {
    const override = this.lifespanOverrides[provider.id]?.[key];
    if (override !== undefined) return override;
    const value = provider.lifespans[key];
    return value === undefined ? null : value;
  }

  status(token: { expiresAt: Date | null; revokedAt: Date | null }): TokenStatus {
    return tokenStatus(token, this.clock.now());
  }

  async issueRefreshToken(scope: ChangeScope, provider: ProviderDescriptor, owner: PrincipalEntity, name: string, options: { lifespanSeconds?: number | null } = {}): Promise<Issued<RefreshTokenEntity>> {
    if (!name || name.length > 255) throw badInput('A token name of 1 to 255 characters is required.', { field: 'name' });
    const { manager } = scope.tx;
    const now = this.clock.now();
    const secret = generateSecret(SECRET_KINDS.refreshToken);
    const lifespan = options.lifespanSeconds !== undefined ? options.lifespanSeconds : this.lifespan(provider, 'refresh');
    const record = await manager.save(
      manager.create(RefreshTokenEntity, { provider: provider.id, ownerId: owner.id, name, secretHash: hashSecret(secret), createdAt: now, expiresAt: expiryFrom(now, lifespan) }),
    );
    scope.emit({ provider: provider.id, kind: 'CREATED', subjectType: 'REFRESH_TOKEN', subjectId: record.id, serviceAccountId: owner.id });
    scope.setTarget(record.id);
    scope.addDetail({ owner: owner.id, name });
    return { record, secret };
  }

  async issueAccessToken(scope: ChangeScope, provider: ProviderDescriptor, owner: PrincipalEntity, options: IssueAccessTokenOptions): Promise<Issued<AccessTokenEntity>> {
    const { manager } = scope.tx;
    const now = this.clock.now();
    let replaced = 0;
    if (options.refreshTokenId) {
      // The row lock serializes concurrent mints for one refresh token, so "replace" leaves one.
      const parent = await this.lockRefreshToken(scope, options.refreshTokenId);
      const parentStatus = this.status(parent);
      if (parentStatus !== 'ACTIVE') throw badInput(`The refresh token is ${parentStatus.toLowerCase()}.`, { status: parentStatus });
      if (options.replaceExisting) replaced = (await this.revokeWhere(scope, 'access_token', 'refresh_token_id = $1', [options.refreshTokenId], owner.id)).length;
    }
    const secret = generateSecret(options.secretKind ?? SECRET_KINDS.accessToken);
    const lifespan = options.lifespanSeconds !== undefined ? options.lifespanSeconds : this.lifespan(provider, options.lifespanKey ?? options.kind);
    const record = await manager.save(
      manager.create(AccessTokenEntity, {
        provider: provider.id,
        ownerId: owner.id,
        kind: options.kind,
        name: options.name ?? null,
        refreshTokenId: options.refreshTokenId ?? null,
        secretHash: hashSecret(secret),
        jti: null,
        createdAt: now,
        expiresAt: expiryFrom(now, lifespan),
      }),
    );
    scope.emit({ provider: provider.id, kind: 'CREATED', subjectType: 'ACCESS_TOKEN', subjectId: record.id, serviceAccountId: owner.id });
    scope.setTarget(record.id);
    scope.addDetail({ owner: owner.id, kind: options.kind, replaced });
    return { record, secret };
  }

  /** Signs a JWT for `owner` (call before the change: signing may load a key); record it with `recordSigned`. */
  async sign(owner: PrincipalEntity, options: { kind: string; issuer: string; audience: string; type: string; lifespanSeconds: number; claims?: Record<string, unknown> }): Promise<SignedToken> {
    const jti = randomUUID();
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    const exp = iat + options.lifespanSeconds;
    const { token, kid } = await this.signing.sign(
      { ...options.claims, iss: options.issuer, sub: owner.id, aud: options.audience, iat, nbf: iat, exp, jti, client_id: owner.clientId ?? undefined },
      options.type,
    );
    // Whole seconds, as the token states them: the stored lifetime is exactly the lifespan.
    return { token, kid, jti, kind: options.kind, issuedAt: new Date(iat * 1000), expiresAt: new Date(exp * 1000) };
  }

  /**
   * The rows a signed token adds, for `change.append` (a grant: nothing to read or lock, so it joins
   * the group commit): its row keyed by `jti`, its CREATED event, its audit target and detail.
   */
  signedAdditions(provider: ProviderDescriptor, owner: PrincipalEntity, signed: SignedToken): Additions {
    const id = randomUUID();
    return {
      accessTokens: [{ id, provider: provider.id, ownerId: owner.id, kind: signed.kind, jti: signed.jti, kid: signed.kid, createdAt: signed.issuedAt, expiresAt: signed.expiresAt }],
      events: [{ provider: provider.id, kind: 'CREATED', subjectType: 'ACCESS_TOKEN', subjectId: id, serviceAccountId: owner.id }],
      target: id,
      detail: { owner: owner.id, kind: signed.kind, kid: signed.kid },
    };
  }

  /**
   * A signed token's row by `jti`, with its owner while the owner lives (introspection, revocation).
   * Kept in the event-evicted cache once `cacheSigned` is on: a revocation or the owner's deletion
   * evicts it; expiry is the caller's check.
   */
  async findByJtiWithOwner(jti: string): Promise<TokenWithOwner | null> {
    if (!isUuid(jti)) return null;
    const load = () => this.withOwner(this.statements.byJti, jti);
    return this.rowCache ? this.rowCache.get(`jti:${jti}`, load, ({ token }) => [token.id, token.ownerId]) : load();
  }

  /** Keeps tokens' rows (by `jti` or secret hash) while the event stream says nothing about them. */
  cacheRows(events: EventService): void {
    this.rowCache = new EvictedCache(events, this.clock);
  }

  /**
   * An opaque access token's row by its secret, with its owner while the owner lives (validation).
   * Cached like signed tokens; this instance's own record of a use (`touch`) evicts it too, so
   * `lastUsedAt` is as fresh as the stored one here, and within the cache's minute on other instances.
   */
  async findAccessTokenBySecretWithOwner(secret: string): Promise<TokenWithOwner | null> {
    if (!parseSecret(secret)) return null;
    const key = hashSecret(secret);
    const load = () => this.withOwner(this.statements.bySecretHash, key);
    return this.rowCache ? this.rowCache.get(key, load, ({ token }) => [token.id, token.ownerId]) : load();
  }

  /**
   * A JWT this gateway signed that is active as RFC 7662 means it: signature, `iss`, `typ` and
   * `aud` hold, its row (by `jti`) is this provider's, of this kind, neither expired nor revoked,
   * and its owner is alive and of `ownerKind`. Null for anything else, whatever the reason.
   */
  async activeSigned(token: string, expect: SignedTokenExpectation): Promise<ActiveSignedToken | null> {
    if (typeof token !== 'string' || token.length === 0) return null;
    const claims = await this.signing.verify(token, expect.verify);
    if (!claims || typeof claims.jti !== 'string' || typeof claims.sub !== 'string') return null;
    const found = await this.findByJtiWithOwner(claims.jti);
    const row = found?.token;
    if (!row || row.provider !== expect.provider || row.kind !== expect.kind || row.ownerId !== claims.sub || this.status(row) !== 'ACTIVE') return null;
    const owner = found.owner;
    if (!owner || owner.provider !== expect.provider || owner.kind !== expect.ownerKind) return null;
    return { claims, tokenId: row.id, owner };
  }

  /** RFC 7662, for a token endpoint: the claims of an active signed token of `expect`'s, else `{active: false}`. */
  async introspectSigned(token: string, expect: SignedTokenExpectation) {
    return introspectionResponse(await this.activeSigned(token, expect));
  }

  /** RFC 7009, for a token endpoint: the id of an active signed token of `expect`'s that `owner` holds, else null (anything else changes nothing). */
  async ownActiveSigned(owner: { id: string }, token: string, expect: SignedTokenExpectation): Promise<string | null> {
    const found = await this.activeSigned(token, expect);
    return found && found.owner.id === owner.id ? found.tokenId : null;
  }

  /** Finds a token of either type by id. */
  async find(id: string, manager?: EntityManager): Promise<AnyToken | null> {
    if (!isUuid(id)) return null;
    if (manager) {
      const refresh = await manager.findOne(RefreshTokenEntity, { where: { id } });
      if (refresh) return { type: 'refresh', token: refresh };
      const access = await manager.findOne(AccessTokenEntity, { where: { id } });
      return access ? { type: 'access', token: access } : null;
    }
    const [row] = await this.db.prepared<Record<string, unknown>>(this.statements.byId, [id]);
    if (!row) return null;
    return row['refresh.id'] != null ? { type: 'refresh', token: entityOf(RefreshTokenEntity, row, 'refresh.') } : { type: 'access', token: entityOf(AccessTokenEntity, row, 'access.') };
  }

  private async withOwner(statement: PreparedStatement, key: string): Promise<TokenWithOwner | null> {
    const [row] = await this.db.prepared<Record<string, unknown>>(statement, [key]);
    if (!row) return null;
    return { token: entityOf(AccessTokenEntity, row, 'token.'), owner: row['owner.id'] != null ? entityOf(PrincipalEntity, row, 'owner.') : null };
  }

  /** The hot paths' statements, from the entities' columns (built once the ORM knows them). */
  private get statements(): Record<'byJti' | 'bySecretHash' | 'byId', PreparedStatement> {
    return (this.prepared ??= ((db) => {
      const withOwner = (name: string, where: string): PreparedStatement => ({
        name,
        text: `SELECT ${entityColumns(db, AccessTokenEntity, 't', 'token.')}, ${entityColumns(db, PrincipalEntity, 'a', 'owner.')}
                 FROM access_token t LEFT JOIN service_account a ON a.id = t.owner_id AND a.deleted_at IS NULL
                WHERE ${where}`,
      });
      return {
        byJti: withOwner('keygate_token_by_jti', 't.jti = $1'),
        bySecretHash: withOwner('keygate_token_by_hash', 't.secret_hash = $1'),
        // A refresh token wins over an access token of the same id (as the ORM lookup had it); ids are random uuids.
        byId: {
          name: 'keygate_token_by_id',
          text: `SELECT ${entityColumns(db, RefreshTokenEntity, 'r', 'refresh.')}, ${entityColumns(db, AccessTokenEntity, 'a', 'access.')}
                   FROM (SELECT 1) one
                   LEFT JOIN refresh_token r ON r.id = $1::uuid
                   LEFT JOIN access_token a ON a.id = $1::uuid AND r.id IS NULL
                  WHERE r.id IS NOT NULL OR a.id IS NOT NULL`,
        },
      };
    })(this.db));
  }

  async findRefreshTokenBySecret(secret: string): Promise<RefreshTokenEntity | null> {
    if (parseSecret(secret)?.kind !== SECRET_KINDS.refreshToken) return null;
    return this.db.manager.findOne(RefreshTokenEntity, { where: { secretHash: hashSecret(secret) } });
  }


  /** Locks a refresh token's row for the rest of the change, or NOT_FOUND. */
  async lockRefreshToken(scope: ChangeScope, id: string): Promise<RefreshTokenEntity> {
    const [row] = isUuid(id) ? await scope.tx.manager.query('SELECT id FROM refresh_token WHERE id = $1 FOR UPDATE', [id]) : [];
    const token = row ? await scope.tx.manager.findOne(RefreshTokenEntity, { where: { id } }) : null;
    if (!token) throw notFound('Refresh token');
    return token;
  }

  /** A principal's tokens of one type, oldest first. */
  async tokensOf(ownerId: string, type: 'refresh' | 'access', filter: { kind?: string } = {}): Promise<(RefreshTokenEntity | AccessTokenEntity)[]> {
    if (type === 'refresh') return this.db.manager.find(RefreshTokenEntity, { where: { ownerId }, order: { createdAt: 'ASC' } });
    return this.db.manager.find(AccessTokenEntity, { where: { ownerId, ...(filter.kind ? { kind: filter.kind } : {}) }, order: { createdAt: 'ASC' } });
  }

  /** The access tokens minted from each refresh token, oldest first. */
  async mintedFrom(refreshTokenIds: readonly string[]): Promise<AccessTokenEntity[]> {
    if (!refreshTokenIds.length) return [];
    return this.db.manager.createQueryBuilder(AccessTokenEntity, 't').where('t.refresh_token_id IN (:...ids)', { ids: refreshTokenIds }).orderBy('t.created_at', 'ASC').getMany();
  }

  /**
   * Revokes one token; a refresh token takes its access tokens with it. Revoking what is already
   * revoked changes nothing and is not an error. Returns every id it revoked.
   */
  async revoke(scope: ChangeScope, found: AnyToken): Promise<string[]> {
    const { id, ownerId } = found.token;
    scope.setTarget(id);
    const ids =
      found.type === 'refresh'
        ? [...(await this.revokeWhere(scope, 'refresh_token', 'id = $1', [id], ownerId)), ...(await this.revokeWhere(scope, 'access_token', 'refresh_token_id = $1', [id], ownerId))]
        : await this.revokeWhere(scope, 'access_token', 'id = $1', [id], ownerId);
    scope.addDetail({ revoked: ids.length });
    return ids;
  }

  /** Revokes every active access token minted from one refresh token. */
  async revokeAccessTokensOf(scope: ChangeScope, refreshToken: RefreshTokenEntity): Promise<string[]> {
    scope.setTarget(refreshToken.id);
    const ids = await this.revokeWhere(scope, 'access_token', 'refresh_token_id = $1', [refreshToken.id], refreshToken.ownerId);
    scope.addDetail({ revoked: ids.length });
    return ids;
  }

  /** Revokes every token a principal holds (offboarding). */
  async revokeAllOf(scope: ChangeScope, ownerId: string): Promise<string[]> {
    scope.setTarget(ownerId);
    const ids = [...(await this.revokeWhere(scope, 'refresh_token', 'owner_id = $1', [ownerId], ownerId)), ...(await this.revokeWhere(scope, 'access_token', 'owner_id = $1', [ownerId], ownerId))];
    scope.addDetail({ revoked: ids.length });
    return ids;
  }

  /** Records use at most once a minute per token, so authentication stays read-mostly. */
  touch(table: Table, id: string, lastUsedAt: Date | null): void {
    const now = this.clock.now();
    if (lastUsedAt && now.getTime() - lastUsedAt.getTime() < 60_000) return;
    this.db.dataSource
      .query(`UPDATE ${table} SET last_used_at = $2 WHERE id = $1`, [id, now])
      .then((result) => (this.rowCache?.forget(id), result))
      .then(() => this.db.dataSource.query(`UPDATE service_account SET last_used_at = $2 WHERE id = (SELECT owner_id FROM ${table} WHERE id = $1)`, [id, now]))
      .catch(() => undefined);
  }

  private async revokeWhere(scope: ChangeScope, table: Table, where: string, params: unknown[], ownerId: string): Promise<string[]> {
    const n = params.length;
    const rows: { id: string; provider: string }[] = unwrapRows(
      await scope.tx.manager.query(
        `UPDATE ${table} t SET revoked_at = $${n + 1}, revoked_by = $${n + 2} WHERE ${where} AND ${activeTokenSql('t', `$${n + 1}`)} RETURNING id, provider`,
        [...params, this.clock.now(), scope.ctx.actor?.name ?? 'system'],
      ),
    );
    const subjectType = table === 'refresh_token' ? 'REFRESH_TOKEN' : 'ACCESS_TOKEN';
    scope.emit(...rows.map((r): NewTokenEvent => ({ provider: r.provider, kind: 'REVOKED', subjectType, subjectId: r.id, serviceAccountId: ownerId })));
    return rows.map((r) => r.id);
  }
}
