import { AccessTokenEntity, RefreshTokenEntity } from '../../entities';
import { Acts, isAllowed, type AccessGuard } from '../authz';
import type { Clock } from '../clock';
import type { ProviderDescriptor, RequestContext } from '../context';
import type { Database } from '../database';
import { badInput, unauthenticated } from '../errors';
import { decodeCursor, encodeCursor, isUuid, MAX_PAGE, type Page } from '../services/pagination';
import { tokenStatusSql, type TokenStatus } from './token-status';

export interface TokenFilter {
  provider?: string | null;
  status?: TokenStatus | null;
  serviceAccountId?: string | null;
  /** Only tokens with an expiry before this instant. */
  expiresBefore?: Date | null;
  /** Only tokens not used since this instant: last used before it, or never used and created before it. */
  lastUsedBefore?: Date | null;
  /** true: only tokens never used; false: only tokens used at least once. */
  neverUsed?: boolean | null;
}

export type ListedToken = { type: 'refresh'; token: RefreshTokenEntity } | { type: 'access'; token: AccessTokenEntity };

export interface TokenSummary {
  active: number;
  expired: number;
  revoked: number;
  /** Active tokens that expire within the horizon asked for. */
  expiringSoon: number;
  /** Active tokens that were never used. */
  neverUsed: number;
}

/** What one provider lets the caller see: every token, or its own plus those of some owner kinds. */
interface Scope {
  provider: string;
  all: boolean;
  selfId: string | null;
  kinds: string[];
}

/** An owner that is never the caller: asks the policy about "someone else's token" of a kind. */
const SOMEONE_ELSE = '00000000-0000-0000-0000-000000000000';

/** Every refresh and access token side by side, with its owner's kind (deleted owners left out). */
const TOKENS = `
  (SELECT 'refresh' AS type, r.id, r.provider, r.owner_id, r.name, NULL::varchar AS kind, NULL::uuid AS refresh_token_id,
          r.created_at, r.expires_at, r.last_used_at, r.revoked_at, r.revoked_by
     FROM refresh_token r
   UNION ALL
   SELECT 'access', a.id, a.provider, a.owner_id, a.name, a.kind, a.refresh_token_id,
          a.created_at, a.expires_at, a.last_used_at, a.revoked_at, a.revoked_by
     FROM access_token a) t
  JOIN service_account sa ON sa.id = t.owner_id AND sa.deleted_at IS NULL`;

interface TokenRowData {
  type: 'refresh' | 'access';
  id: string;
  provider: string;
  owner_id: string;
  name: string | null;
  kind: string | null;
  refresh_token_id: string | null;
  created_at: Date | string;
  expires_at: Date | string | null;
  last_used_at: Date | string | null;
  revoked_at: Date | string | null;
  revoked_by: string | null;
}

const toDate = (value: Date | string | null): Date | null => (value === null ? null : value instanceof Date ? value : new Date(value));

/** Builds one parameterised WHERE clause; every value goes in as a parameter. */
class Conditions {
  readonly params: unknown[] = [];
  readonly parts: string[] = [];
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
  /** An instant, typed: a parameter some condition leaves unused still has a type. */
  instant(value: Date): string {
    return `${this.param(value)}::timestamptz`;
  }
  add(sql: string): void {
    this.parts.push(sql);
  }
  get sql(): string {
    return this.parts.length ? this.parts.join(' AND ') : 'TRUE';
  }
}

/**
 * Read-only queries over every token a caller may see, for dashboards: one list, newest first,
 * and counts per status. Visibility is each provider's `token.read` policy, the same rule the
 * `refreshTokens` / `accessTokens` fields follow; status is the one active-token rule, in SQL.
 */
export class TokenQueryService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly guard: AccessGuard,
  ) {}

  async list(
    ctx: RequestContext,
    providers: readonly ProviderDescriptor[],
    filter: TokenFilter,
    args: { first?: number | null; after?: string | null; countTotal?: boolean },
  ): Promise<Page<ListedToken>> {
    const first = Math.min(Math.max(args.first ?? 20, 0), MAX_PAGE);
    const where = await this.where(ctx, providers, filter);
    if (!where) return { nodes: [], hasNextPage: false, endCursor: null, totalCount: 0 };
    const [{ count }] = args.countTotal === false ? [{ count: 0 }] : await this.db.manager.query(`SELECT count(*)::int AS count FROM ${TOKENS} WHERE ${where.sql}`, where.params);
    if (args.after) {
      const [createdAt, id] = decodeCursor(args.after);
      where.add(`(t.created_at, t.id) < (${where.instant(new Date(createdAt))}, ${where.param(id)}::uuid)`);
    }
    const rows: TokenRowData[] = await this.db.manager.query(
      `SELECT t.* FROM ${TOKENS} WHERE ${where.sql} ORDER BY t.created_at DESC, t.id DESC LIMIT ${where.param(first + 1)}`,
      where.params,
    );
    const nodes = rows.slice(0, first).map(toListedToken);
    const last = nodes[nodes.length - 1];
    return { nodes, hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last.token) : null, totalCount: Number(count) };
  }

  /** Counts per status over the tokens the caller may see; `expiringWithinSeconds` sets "soon". */
  async summary(ctx: RequestContext, providers: readonly ProviderDescriptor[], filter: { provider?: string | null }, expiringWithinSeconds: number): Promise<TokenSummary> {
    const where = await this.where(ctx, providers, filter);
    if (!where) return { active: 0, expired: 0, revoked: 0, expiringSoon: 0, neverUsed: 0 };
    const now = where.instant(this.clock.now());
    const soon = where.instant(new Date(this.clock.now().getTime() + expiringWithinSeconds * 1000));
    const active = tokenStatusSql.ACTIVE('t', now);
    const [row] = await this.db.manager.query(
      `SELECT count(*) FILTER (WHERE ${active})::int AS active,
              count(*) FILTER (WHERE ${tokenStatusSql.EXPIRED('t', now)})::int AS expired,
              count(*) FILTER (WHERE ${tokenStatusSql.REVOKED('t', now)})::int AS revoked,
              count(*) FILTER (WHERE ${active} AND t.expires_at IS NOT NULL AND t.expires_at <= ${soon})::int AS "expiringSoon",
              count(*) FILTER (WHERE ${active} AND t.last_used_at IS NULL)::int AS "neverUsed"
         FROM ${TOKENS} WHERE ${where.sql}`,
      where.params,
    );
    return { active: Number(row.active), expired: Number(row.expired), revoked: Number(row.revoked), expiringSoon: Number(row.expiringSoon), neverUsed: Number(row.neverUsed) };
  }

  /** The visibility and filter conditions; null when the caller may see nothing. */
  private async where(ctx: RequestContext, providers: readonly ProviderDescriptor[], filter: TokenFilter): Promise<Conditions | null> {
    if (filter.serviceAccountId != null && !isUuid(filter.serviceAccountId)) throw badInput('`serviceAccountId` is an id (a UUID).', { field: 'serviceAccountId' });
    const named = filter.provider ? providers.filter((p) => p.id === filter.provider) : providers;
    const scopes = await this.scopes(ctx, named, Boolean(filter.provider));
    if (scopes.length === 0) return null;
    const where = new Conditions();
    where.add(
      '(' +
        scopes
          .map((s) => {
            const provider = `t.provider = ${where.param(s.provider)}`;
            if (s.all) return `(${provider})`;
            const who = [s.selfId ? `t.owner_id = ${where.param(s.selfId)}::uuid` : null, s.kinds.length ? `sa.kind = ANY(${where.param(s.kinds)}::text[])` : null].filter(Boolean);
            return `(${provider} AND (${who.join(' OR ')}))`;
          })
          .join(' OR ') +
        ')',
    );
    const now = this.clock.now();
    if (filter.status === 'REVOKED') where.add(tokenStatusSql.REVOKED('t', ''));
    else if (filter.status) where.add(tokenStatusSql[filter.status]('t', where.instant(now)));
    if (filter.serviceAccountId) where.add(`t.owner_id = ${where.param(filter.serviceAccountId)}::uuid`);
    if (filter.expiresBefore) where.add(`(t.expires_at IS NOT NULL AND t.expires_at < ${where.instant(filter.expiresBefore)})`);
    if (filter.lastUsedBefore) {
      const instant = where.instant(filter.lastUsedBefore);
      where.add(`(t.last_used_at < ${instant} OR (t.last_used_at IS NULL AND t.created_at < ${instant}))`);
    }
    if (filter.neverUsed === true) where.add('t.last_used_at IS NULL');
    if (filter.neverUsed === false) where.add('t.last_used_at IS NOT NULL');
    return where;
  }

  /**
   * Per provider, whose tokens the policy lets the caller read. A requirement met without naming
   * a target (a role, a permission) covers every token; otherwise the caller's own tokens, plus
   * those of the owner kinds the policy grants (Talend: users to user managers, and so on).
   */
  private async scopes(ctx: RequestContext, providers: readonly ProviderDescriptor[], explicit: boolean): Promise<Scope[]> {
    const actor = ctx.actor;
    if (!actor) throw unauthenticated();
    const scopes: Scope[] = [];
    for (const provider of providers) {
      if (actor.kind === 'operator') {
        scopes.push({ provider: provider.id, all: true, selfId: null, kinds: [] });
        continue;
      }
      if (actor.provider !== provider.id) {
        // Named explicitly, a provider the caller has nothing in is a refusal (audited), as for lists.
        if (explicit) await this.guard.require(ctx, provider, Acts.readTokens, { ownerId: SOMEONE_ELSE });
        continue;
      }
      if (await isAllowed(actor, provider, Acts.readTokens)) {
        scopes.push({ provider: provider.id, all: true, selfId: null, kinds: [] });
        continue;
      }
      const self = await isAllowed(actor, provider, Acts.readTokens, { ownerId: actor.principalId, ownerKind: actor.principalKind });
      const kinds: string[] = [];
      const known: { kind: string }[] = await this.db.manager.query('SELECT DISTINCT kind FROM service_account WHERE provider = $1 AND deleted_at IS NULL', [provider.id]);
      for (const { kind } of known) {
        if (await isAllowed(actor, provider, Acts.readTokens, { ownerId: SOMEONE_ELSE, ownerKind: kind })) kinds.push(kind);
      }
      if (self || kinds.length) scopes.push({ provider: provider.id, all: false, selfId: self ? actor.principalId : null, kinds });
      else if (explicit) await this.guard.require(ctx, provider, Acts.readTokens, { ownerId: SOMEONE_ELSE });
    }
    return scopes;
  }
}

function toListedToken(row: TokenRowData): ListedToken {
  const common = {
    id: row.id,
    provider: row.provider,
    ownerId: row.owner_id,
    secretHash: null,
    createdAt: toDate(row.created_at)!,
    expiresAt: toDate(row.expires_at),
    lastUsedAt: toDate(row.last_used_at),
    revokedAt: toDate(row.revoked_at),
    revokedBy: row.revoked_by,
    expiryAnnouncedAt: null,
    expiryWarnedHorizon: null,
    expiryNoticeAt: null,
  };
  if (row.type === 'refresh') return { type: 'refresh', token: Object.assign(new RefreshTokenEntity(), common, { name: row.name ?? '' }) };
  return {
    type: 'access',
    token: Object.assign(new AccessTokenEntity(), common, { kind: row.kind ?? 'access', name: row.name, refreshTokenId: row.refresh_token_id, jti: null, kid: null }),
  };
}
