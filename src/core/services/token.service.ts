import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { SigningService } from '../signing';
import { AccessTokenEntity, RefreshTokenEntity, PrincipalEntity } from '../../entities';
import type { AuditService } from '../audit';
import { CoreActions, type AccessGuard } from '../authz';
import type { Clock } from '../clock';
import type { ProviderDescriptor, RequestContext } from '../context';
import type { Database, Transaction } from '../database';
import { badInput, notFound } from '../errors';
import type { EventService, NewTokenEvent } from '../events';
import { generateSecret, hashSecret, parseSecret, SECRET_KINDS, type Issued, type SecretKind } from '../secrets';
import { expiryFrom, tokenStatus, type TokenStatus } from '../tokens';
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
  /** Signed tokens (JWT) have no stored secret, only their id. */
  jti?: string;
  /** Revoke the refresh token's other active access tokens in the same transaction (regenerate). */
  replaceExisting?: boolean;
  action?: string;
}

export type AnyToken = { type: 'refresh'; token: RefreshTokenEntity } | { type: 'access'; token: AccessTokenEntity };

export class TokenService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly events: EventService,
    private readonly guard: AccessGuard,
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

  async issueRefreshToken(
    ctx: RequestContext,
    provider: ProviderDescriptor,
    owner: PrincipalEntity,
    name: string,
    options: { tx?: Transaction; action?: string; lifespanSeconds?: number | null } = {},
  ): Promise<Issued<RefreshTokenEntity>> {
    const action = options.action ?? CoreActions.createRefreshToken;
    await this.guard.require(ctx, provider, action, { ownerId: owner.id });
    if (!name || name.length > 255) throw badInput('A token name of 1 to 255 characters is required.', { field: 'name' });
    const run = async (tx: Transaction) => {
      const now = this.clock.now();
      const secret = generateSecret(SECRET_KINDS.refreshToken);
      const lifespan = options.lifespanSeconds !== undefined ? options.lifespanSeconds : this.lifespan(provider, 'refresh');
      const record = await tx.manager.save(
        tx.manager.create(RefreshTokenEntity, {
          provider: provider.id,
          ownerId: owner.id,
          name,
          secretHash: hashSecret(secret),
          createdAt: now,
          expiresAt: expiryFrom(now, lifespan),
        }),
      );
      await this.events.append(tx, ctx.actor, [
        { provider: provider.id, kind: 'CREATED', subjectType: 'REFRESH_TOKEN', subjectId: record.id, serviceAccountId: owner.id },
      ]);
      await this.audit.record({ actor: ctx.actor, action, provider: provider.id, target: record.id, outcome: 'success', origin: ctx.origin, detail: { owner: owner.id, name } }, tx.manager);
      return { record, secret };
    };
    return options.tx ? run(options.tx) : this.db.transaction(run);
  }

  async issueAccessToken(
    ctx: RequestContext,
    provider: ProviderDescriptor,
    owner: PrincipalEntity,
    options: IssueAccessTokenOptions & { tx?: Transaction },
  ): Promise<Issued<AccessTokenEntity>> {
    const action = options.action ?? CoreActions.createAccessToken;
    await this.guard.require(ctx, provider, action, { ownerId: owner.id });
    const run = async (tx: Transaction) => {
      const now = this.clock.now();
      const events: NewTokenEvent[] = [];
      if (options.refreshTokenId) {
        // The row lock serializes concurrent mints for one refresh token, so "replace" leaves one.
        const [parent] = await tx.manager.query('SELECT id, expires_at, revoked_at FROM refresh_token WHERE id = $1 FOR UPDATE', [options.refreshTokenId]);
        if (!parent) throw notFound('Refresh token');
        const parentStatus = tokenStatus({ expiresAt: parent.expires_at && new Date(parent.expires_at), revokedAt: parent.revoked_at }, now);
        if (parentStatus !== 'ACTIVE') throw badInput(`The refresh token is ${parentStatus.toLowerCase()}.`, { status: parentStatus });
        if (options.replaceExisting) {
          const revoked = await this.revokeWhere(tx.manager, 'access_token', 'refresh_token_id = $1', [options.refreshTokenId], now, ctx);
          for (const id of revoked)
            events.push({ provider: provider.id, kind: 'REVOKED', subjectType: 'ACCESS_TOKEN', subjectId: id, serviceAccountId: owner.id });
        }
      }
      const secret = options.jti ? null : generateSecret(options.secretKind ?? SECRET_KINDS.accessToken);
      const lifespan =
        options.lifespanSeconds !== undefined ? options.lifespanSeconds : this.lifespan(provider, options.lifespanKey ?? options.kind);
      const record = await tx.manager.save(
        tx.manager.create(AccessTokenEntity, {
          provider: provider.id,
          ownerId: owner.id,
          kind: options.kind,
          name: options.name ?? null,
          refreshTokenId: options.refreshTokenId ?? null,
          secretHash: secret ? hashSecret(secret) : null,
          jti: options.jti ?? null,
          createdAt: now,
          expiresAt: expiryFrom(now, lifespan),
        }),
      );
      events.push({ provider: provider.id, kind: 'CREATED', subjectType: 'ACCESS_TOKEN', subjectId: record.id, serviceAccountId: owner.id });
      await this.events.append(tx, ctx.actor, events);
      await this.audit.record(
        { actor: ctx.actor, action, provider: provider.id, target: record.id, outcome: 'success', origin: ctx.origin, detail: { owner: owner.id, kind: options.kind, replaced: events.length - 1 } },
        tx.manager,
      );
      return { record, secret };
    };
    return options.tx ? run(options.tx) : this.db.transaction(run);
  }

  /**
   * Issues a signed token (JWT): a token row keyed by `jti` (for revocation and status) and the
   * compact JWS as the show-once secret. `claims` adds provider claims to the registered ones.
   */
  async issueSignedToken(
    ctx: RequestContext,
    provider: ProviderDescriptor,
    owner: PrincipalEntity,
    options: { kind: string; issuer: string; audience: string; type: string; lifespanSeconds: number; claims?: Record<string, unknown>; action?: string; tx?: Transaction },
  ): Promise<Issued<AccessTokenEntity>> {
    const action = options.action ?? CoreActions.createAccessToken;
    await this.guard.require(ctx, provider, action, { ownerId: owner.id });
    const jti = randomUUID();
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    // Whole seconds, as the token states them: the stored lifetime is exactly the lifespan.
    const now = new Date(iat * 1000);
    const { token, kid } = await this.signing.sign(
      { ...options.claims, iss: options.issuer, sub: owner.id, aud: options.audience, iat, nbf: iat, exp: iat + options.lifespanSeconds, jti, client_id: owner.clientId ?? undefined },
      options.type,
    );
    const run = async (tx: Transaction) => {
      const record = await tx.manager.save(
        tx.manager.create(AccessTokenEntity, {
          provider: provider.id,
          ownerId: owner.id,
          kind: options.kind,
          jti,
          kid,
          secretHash: null,
          createdAt: now,
          expiresAt: new Date((iat + options.lifespanSeconds) * 1000),
        }),
      );
      await this.events.append(tx, ctx.actor, [
        { provider: provider.id, kind: 'CREATED', subjectType: 'ACCESS_TOKEN', subjectId: record.id, serviceAccountId: owner.id },
      ]);
      await this.audit.record({ actor: ctx.actor, action, provider: provider.id, target: record.id, outcome: 'success', origin: ctx.origin, detail: { owner: owner.id, kind: options.kind, kid } }, tx.manager);
      return { record, secret: token };
    };
    return options.tx ? run(options.tx) : this.db.transaction(run);
  }

  async findByJti(jti: string, manager: EntityManager = this.db.manager): Promise<AccessTokenEntity | null> {
    if (!isUuid(jti)) return null;
    return manager.findOne(AccessTokenEntity, { where: { jti } });
  }

  /** Finds a token of either type by id. */
  async find(id: string, manager: EntityManager = this.db.manager): Promise<AnyToken | null> {
    if (!isUuid(id)) return null;
    const refresh = await manager.findOne(RefreshTokenEntity, { where: { id } });
    if (refresh) return { type: 'refresh', token: refresh };
    const access = await manager.findOne(AccessTokenEntity, { where: { id } });
    return access ? { type: 'access', token: access } : null;
  }

  async findRefreshTokenBySecret(secret: string, manager: EntityManager = this.db.manager): Promise<RefreshTokenEntity | null> {
    if (parseSecret(secret)?.kind !== SECRET_KINDS.refreshToken) return null;
    return manager.findOne(RefreshTokenEntity, { where: { secretHash: hashSecret(secret) } });
  }

  async findAccessTokenBySecret(secret: string, manager: EntityManager = this.db.manager): Promise<AccessTokenEntity | null> {
    if (!parseSecret(secret)) return null;
    return manager.findOne(AccessTokenEntity, { where: { secretHash: hashSecret(secret) } });
  }

  async listRefreshTokens(ownerId: string): Promise<RefreshTokenEntity[]> {
    return this.db.manager.find(RefreshTokenEntity, { where: { ownerId }, order: { createdAt: 'ASC' } });
  }

  /**
   * Revokes one token; a refresh token takes its access tokens with it. Revoking what is already
   * revoked changes nothing and is not an error.
   */
  async revoke(ctx: RequestContext, provider: ProviderDescriptor, id: string, options: { tx?: Transaction; action?: string } = {}) {
    const action = options.action ?? CoreActions.revokeToken;
    const found = await this.find(id, options.tx?.manager);
    if (!found || found.token.provider !== provider.id) throw notFound('Token');
    await this.guard.require(ctx, provider, action, { ownerId: found.token.ownerId });
    const run = async (tx: Transaction) => {
      const now = this.clock.now();
      const events: NewTokenEvent[] = [];
      const ownerId = found.token.ownerId;
      const push = (subjectType: 'REFRESH_TOKEN' | 'ACCESS_TOKEN', ids: string[]) => {
        for (const subjectId of ids) events.push({ provider: provider.id, kind: 'REVOKED', subjectType, subjectId, serviceAccountId: ownerId });
      };
      if (found.type === 'refresh') {
        push('REFRESH_TOKEN', await this.revokeWhere(tx.manager, 'refresh_token', 'id = $1', [id], now, ctx));
        push('ACCESS_TOKEN', await this.revokeWhere(tx.manager, 'access_token', 'refresh_token_id = $1', [id], now, ctx));
      } else {
        push('ACCESS_TOKEN', await this.revokeWhere(tx.manager, 'access_token', 'id = $1', [id], now, ctx));
      }
      await this.events.append(tx, ctx.actor, events);
      await this.audit.record({ actor: ctx.actor, action, provider: provider.id, target: id, outcome: 'success', origin: ctx.origin, detail: { revoked: events.length } }, tx.manager);
      const reloaded = await this.find(id, tx.manager);
      return { token: reloaded!, revokedIds: events.map((e) => e.subjectId) };
    };
    return options.tx ? run(options.tx) : this.db.transaction(run);
  }

  /** Revokes every active access token minted from one refresh token. */
  async revokeAccessTokensOf(ctx: RequestContext, provider: ProviderDescriptor, refreshToken: RefreshTokenEntity, action: string = CoreActions.revokeToken) {
    await this.guard.require(ctx, provider, action, { ownerId: refreshToken.ownerId });
    return this.db.transaction(async (tx) => {
      const now = this.clock.now();
      const ids = await this.revokeWhere(tx.manager, 'access_token', 'refresh_token_id = $1', [refreshToken.id], now, ctx);
      await this.events.append(
        tx,
        ctx.actor,
        ids.map((subjectId) => ({ provider: provider.id, kind: 'REVOKED' as const, subjectType: 'ACCESS_TOKEN' as const, subjectId, serviceAccountId: refreshToken.ownerId })),
      );
      await this.audit.record({ actor: ctx.actor, action, provider: provider.id, target: refreshToken.id, outcome: 'success', origin: ctx.origin, detail: { revoked: ids.length } }, tx.manager);
      return ids;
    });
  }

  /** Revokes every token a principal holds (offboarding). */
  async revokeAllOf(ctx: RequestContext, provider: ProviderDescriptor, ownerId: string, action: string = CoreActions.revokeToken) {
    await this.guard.require(ctx, provider, action, { ownerId });
    return this.db.transaction(async (tx) => {
      const now = this.clock.now();
      const refresh = await this.revokeWhere(tx.manager, 'refresh_token', 'owner_id = $1', [ownerId], now, ctx);
      const access = await this.revokeWhere(tx.manager, 'access_token', 'owner_id = $1', [ownerId], now, ctx);
      const event = (subjectType: 'REFRESH_TOKEN' | 'ACCESS_TOKEN') => (subjectId: string) =>
        ({ provider: provider.id, kind: 'REVOKED' as const, subjectType, subjectId, serviceAccountId: ownerId });
      await this.events.append(tx, ctx.actor, [...refresh.map(event('REFRESH_TOKEN')), ...access.map(event('ACCESS_TOKEN'))]);
      await this.audit.record({ actor: ctx.actor, action, provider: provider.id, target: ownerId, outcome: 'success', origin: ctx.origin, detail: { revoked: refresh.length + access.length } }, tx.manager);
      return [...refresh, ...access];
    });
  }

  /** Records use at most once a minute per token, so authentication stays read-mostly. */
  touch(table: 'access_token' | 'refresh_token', id: string, lastUsedAt: Date | null): void {
    const now = this.clock.now();
    if (lastUsedAt && now.getTime() - lastUsedAt.getTime() < 60_000) return;
    const sql = `UPDATE ${table} SET last_used_at = $2 WHERE id = $1`;
    this.db.dataSource
      .query(sql, [id, now])
      .then(() => this.db.dataSource.query('UPDATE service_account SET last_used_at = $2 WHERE id = (SELECT owner_id FROM ' + table + ' WHERE id = $1)', [id, now]))
      .catch(() => undefined);
  }

  private async revokeWhere(manager: EntityManager, table: 'access_token' | 'refresh_token', where: string, params: unknown[], now: Date, ctx: RequestContext) {
    const n = params.length;
    const rows: { id: string }[] = await manager.query(
      `UPDATE ${table} SET revoked_at = $${n + 1}, revoked_by = $${n + 2}
       WHERE ${where} AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $${n + 1}) RETURNING id`,
      [...params, now, ctx.actor?.name ?? 'system'],
    );
    return unwrapRows(rows).map((r) => r.id);
  }
}

/** `manager.query` returns `[rows, count]` for UPDATE … RETURNING on the postgres driver. */
function unwrapRows<T>(result: T[] | [T[], number]): T[] {
  return Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
}

