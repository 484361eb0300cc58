import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { PrincipalEntity } from '../../entities';
import type { AuditService } from '../audit';
import type { Clock } from '../clock';
import { entityColumns, entityOf, type Database, type PreparedStatement } from '../database';
import { unauthenticated } from '../errors';
import { constantTimeEqual, hashSecret, parseSecret, verifySecret } from '../secrets';
import type { RequestContext } from '../context';
import type { FailureLimiter } from '../rate-limit';
import type { BasicCredentials } from './basic';
import { EvictedCache, type EventService } from '../events';
import { decodeJwt, type SigningService, type VerifyOptions } from '../signing';
import { tokenStatus } from '../tokens';
import type { Actor } from './actor';

export const OPERATOR_PROVIDER = 'keygate';
/** Serializes changes to the set of operator tokens (bootstrap, create, revoke). */
export const OPERATOR_TOKEN_LOCK = 7304401;
/** Compared against when a client id is unknown, so that an unknown id costs what a known one does. */
const DUMMY_SECRET_HASH = hashSecret(randomBytes(32).toString('hex'));

interface CredentialRow {
  token_id: string;
  token_kind: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  principal_id: string;
  provider: string;
  principal_kind: string;
  name: string;
  role: string | null;
  permissions: string[] | null;
  persona_ids: string[] | null;
}

interface Grants {
  permissions: string[] | null;
  persona_ids: string[] | null;
}

const GRANTS_OF = (id: string) => `(SELECT array_agg(g.code) FROM service_account_permission g WHERE g.service_account_id = ${id}) AS permissions,
              (SELECT array_agg(l.persona_id) FROM service_account_persona l WHERE l.service_account_id = ${id}) AS persona_ids`;

const CREDENTIAL_LOOKUP = (where: string) => `SELECT t.id AS token_id, t.kind AS token_kind, t.expires_at, t.revoked_at, t.last_used_at,
              a.id AS principal_id, a.provider, a.kind AS principal_kind, a.name, a.role,
              ${GRANTS_OF('a.id')}
         FROM access_token t
         JOIN service_account a ON a.id = t.owner_id AND a.deleted_at IS NULL
        WHERE ${where}`;

/** The statements of every authenticated request: each one round trip, prepared once per connection. */
const STATEMENTS = {
  bySecretHash: { name: 'keygate_credential_by_hash', text: CREDENTIAL_LOOKUP('t.secret_hash = $1') },
  byJti: { name: 'keygate_credential_by_jti', text: CREDENTIAL_LOOKUP('t.jti = $1') },
  grants: { name: 'keygate_principal_grants', text: `SELECT ${GRANTS_OF('$1::uuid')}` },
} satisfies Record<string, PreparedStatement>;

/**
 * Turns the credential a request carries into an Actor with one indexed lookup, or refuses with
 * one UNAUTHENTICATED that never says why (missing, malformed, unknown, expired and revoked alike).
 */
export class CredentialService {
  /** The issuers whose JWTs authenticate; an `iss` under the public URL is known only once the gateway listens, so it is read per token. */
  private readonly issuers: (Omit<VerifyOptions, 'issuer'> & { issuer: () => string })[] = [];
  private configuredOperatorHash: string | null = null;
  /** Verified credentials by hash of their value; dropped on any event about them or their principal. */
  private bearers?: EvictedCache<Actor>;
  private operatorRow: PrincipalEntity | null = null;
  /** Grants loaded with a client's authentication, for its `principalActor` in the same request. */
  private readonly authenticatedGrants = new WeakMap<PrincipalEntity, Grants>();
  private clientStatement?: PreparedStatement;
  /**
   * Clients by id, with their grants: a token endpoint authenticates its client on every call.
   * Evicted by any event about the client (secret changed, grants changed, deleted).
   */
  private clients?: EvictedCache<{ principal: PrincipalEntity; grants: Grants }>;
  /** Told whether each lookup was answered from the cache (metrics). */
  onLookup: (result: 'hit' | 'miss') => void = () => undefined;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly signing: SigningService,
    private readonly onUse: (tokenId: string, lastUsedAt: Date | null) => void = () => undefined,
  ) {}

  /**
   * Caches verified credentials while the event stream is live, and forgets one the moment an
   * event concerns it (revoked, owner deleted, grants changed): on this instance at commit, on
   * the others within NOTIFY delivery. While the stream is not live, nothing is cached.
   */
  useCache(events: EventService): void {
    this.bearers = new EvictedCache(events, this.clock);
    this.clients = new EvictedCache(events, this.clock);
  }

  /** Drops what this instance keeps about a principal (a change no event announces, such as a rename). */
  forgetPrincipal(id: string): void {
    this.bearers?.forget(id);
    this.clients?.forget(id);
  }

  /** Accept JWTs that this gateway signed for `issuer` (see TokenService.issueSignedToken) as bearer credentials. */
  acceptSignedTokens(options: Omit<VerifyOptions, 'issuer'> & { issuer: string | (() => string) }): void {
    const { issuer } = options;
    this.issuers.push({ ...options, issuer: typeof issuer === 'string' ? () => issuer : issuer });
  }

  /** The bearer value of a request: `Authorization: Bearer …`, else a `TOKEN` header (Alation). */
  static extract(headers: IncomingHttpHeaders | Record<string, unknown>): string | null {
    const authorization = headers['authorization'];
    if (typeof authorization === 'string' && authorization.length > 0) {
      const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
      return match ? match[1] : '';
    }
    const token = headers['token'];
    if (typeof token === 'string') return token.trim();
    return null;
  }

  /** `null` when no credential was sent; throws UNAUTHENTICATED for any credential that is not good. */
  async resolveHeaders(headers: IncomingHttpHeaders | Record<string, unknown>): Promise<Actor | null> {
    const value = CredentialService.extract(headers);
    if (value === null) return null;
    return this.resolve(value);
  }

  async resolve(value: string): Promise<Actor> {
    if (!value || value.length > 4096) throw unauthenticated();
    if (!this.bearers) return this.resolveUncached(value);
    let missed = false;
    const load = () => ((missed = true), this.resolveUncached(value));
    try {
      return (await this.bearers.get(hashSecret(value), load, (found) => [found.credentialId, found.principalId], {
        usable: (found) => !found.credentialExpiresAt || found.credentialExpiresAt.getTime() > this.clock.now().getTime(),
        // The configured operator token is compared, not looked up: nothing to save.
        keep: (found) => found.credentialId !== 'configured',
      }))!;
    } finally {
      this.onLookup(missed ? 'miss' : 'hit');
    }
  }

  private async resolveUncached(value: string): Promise<Actor> {
    if (this.configuredOperatorHash && constantTimeEqual(hashSecret(value), this.configuredOperatorHash)) return this.operatorActor();
    if (parseSecret(value)) return this.resolveStored(value);
    const signed = await this.resolveSigned(value);
    if (signed) return signed;
    throw unauthenticated();
  }

  /** A JWT this gateway signed: signature, issuer, type and expiry checked, then its row by `jti` (revocation). */
  private async resolveSigned(value: string): Promise<Actor | null> {
    if (this.issuers.length === 0) return null;
    const decoded = decodeJwt(value);
    const iss = decoded?.claims.iss;
    const options = typeof iss === 'string' ? this.issuers.find((i) => i.issuer() === iss) : undefined;
    if (!options) return null;
    const claims = await this.signing.verify(value, { ...options, issuer: options.issuer() });
    if (!claims || typeof claims.jti !== 'string' || !/^[0-9a-f-]{36}$/.test(claims.jti)) throw unauthenticated();
    const actor = await this.lookup(STATEMENTS.byJti, claims.jti);
    if (actor.principalId !== claims.sub) throw unauthenticated();
    // A token carries the permissions it was issued with, where its issuer put them in.
    if (Array.isArray(claims.permissions)) return { ...actor, permissions: new Set(claims.permissions.map(String)) };
    return actor;
  }

  private resolveStored(value: string): Promise<Actor> {
    return this.lookup(STATEMENTS.bySecretHash, hashSecret(value));
  }

  /** One indexed lookup: the token, its principal and the principal's grants. */
  private async lookup(statement: PreparedStatement, key: string): Promise<Actor> {
    const [row] = await this.db.prepared<CredentialRow>(statement, [key]);
    if (!row) throw unauthenticated();
    const expiresAt = row.expires_at ? new Date(row.expires_at) : null;
    if (tokenStatus({ expiresAt, revokedAt: row.revoked_at }, this.clock.now()) !== 'ACTIVE') throw unauthenticated();
    this.onUse(row.token_id, row.last_used_at ? new Date(row.last_used_at) : null);
    return actorOf(
      { id: row.principal_id, provider: row.provider, kind: row.principal_kind, name: row.name, role: row.role },
      { permissions: row.permissions, personaIds: row.persona_ids },
      { id: row.token_id, expiresAt },
    );
  }

  /**
   * The Actor of a principal authenticated some other way than a bearer token (a password, an
   * id:secret pair, a signed token whose claims the provider checked). Loads its current grants.
   */
  async principalActor(account: PrincipalEntity, credential: { id: string; expiresAt: Date | null }): Promise<Actor> {
    const [row] = this.authenticatedGrants.has(account) ? [this.authenticatedGrants.get(account)!] : await this.db.prepared<Grants>(STATEMENTS.grants, [account.id]);
    return actorOf(account, { permissions: row?.permissions ?? null, personaIds: row?.persona_ids ?? null }, credential);
  }

  /**
   * A client's id and secret (HTTP Basic or a form), for token endpoints: the live principal of
   * `provider` and `kind` whose secret this is. Unknown ids cost the same lookup and comparison as
   * known ones; every failure is one UNAUTHENTICATED, counted by the failure limiter (per address and client id)
   * and audited as `failed` under `action`.
   */
  async authenticateClient(
    ctx: RequestContext,
    expected: { provider: string; kind: string; action: string },
    credentials: BasicCredentials | null,
    limiter: FailureLimiter,
  ): Promise<PrincipalEntity> {
    const id = credentials ? credentials.id.slice(0, 255) : '';
    return limiter.attempt({ address: ctx.address ?? 'unknown', target: id ? `client:${id}` : undefined }, async () => {
      const candidate = id ? await this.findClient(id) : null;
      const account = candidate && candidate.provider === expected.provider && candidate.kind === expected.kind && candidate.secretHash ? candidate : null;
      const secret = credentials?.secret ?? '';
      // Both compared every time: how long this takes says nothing about which secret matched.
      const current = verifySecret(secret, account?.secretHash ?? DUMMY_SECRET_HASH);
      const previous = verifySecret(secret, account?.previousSecretHash ?? DUMMY_SECRET_HASH) && (account?.previousSecretExpiresAt ?? 0) > this.clock.now();
      const matches = current || previous;
      if (!credentials || !account || !matches) {
        await this.audit.recordFailed(ctx, expected.action, expected.provider, account?.id ?? null);
        throw unauthenticated();
      }
      return account;
    });
  }

  /** The live principal of a client id, with its grants, in one round trip (or none, while cached). */
  private async findClient(clientId: string): Promise<PrincipalEntity | null> {
    const load = () => this.loadClient(clientId);
    const found = this.clients ? await this.clients.get(`client:${clientId}`, load, ({ principal }) => [principal.id]) : await load();
    if (!found) return null;
    this.authenticatedGrants.set(found.principal, found.grants);
    return found.principal;
  }

  private async loadClient(clientId: string): Promise<{ principal: PrincipalEntity; grants: Grants } | null> {
    this.clientStatement ??= {
      name: 'keygate_client_by_id',
      text: `SELECT ${entityColumns(this.db, PrincipalEntity, 'a')}, ${GRANTS_OF('a.id')}
               FROM service_account a WHERE a.client_id = $1 AND a.deleted_at IS NULL`,
    };
    const [row] = await this.db.prepared<Record<string, unknown> & Grants>(this.clientStatement, [clientId]);
    if (!row) return null;
    const { permissions, persona_ids, ...columns } = row;
    // Shared by every request while cached: nobody may change it.
    return { principal: Object.freeze(entityOf(PrincipalEntity, columns)), grants: { permissions, persona_ids } };
  }

  /** The operator as an Actor, for local commands (the CLI) that act with the operator's authority. */
  async operator(): Promise<Actor> {
    await this.operatorPrincipal();
    return { ...this.operatorActor(), credentialId: 'local' };
  }

  private operatorActor(): Actor {
    const principal = this.operatorRow!;
    return {
      kind: 'operator',
      provider: OPERATOR_PROVIDER,
      principalId: principal.id,
      principalKind: 'operator',
      name: 'operator',
      role: null,
      permissions: new Set(),
      personaIds: [],
      credentialId: 'configured',
      credentialExpiresAt: null,
    };
  }

  /** The operator's principal row, made on first use. */
  async operatorPrincipal(): Promise<PrincipalEntity> {
    if (this.operatorRow) return this.operatorRow;
    this.operatorRow = await this.db.transaction(async ({ manager }) => {
      await manager.query(`SELECT pg_advisory_xact_lock(7304400)`);
      const existing = await manager.findOne(PrincipalEntity, { where: { provider: OPERATOR_PROVIDER, name: 'operator' } });
      if (existing) return existing;
      const now = this.clock.now();
      return manager.save(
        manager.create(PrincipalEntity, { provider: OPERATOR_PROVIDER, kind: 'operator', name: 'operator', createdAt: now, updatedAt: now, attributes: {} }),
      );
    });
    return this.operatorRow;
  }

  /** `KEYGATE_OPERATOR_TOKEN`: the value becomes an operator credential; only its hash is kept. */
  async configureOperatorToken(value: string): Promise<void> {
    if (value.length < 16) throw new Error('KEYGATE_OPERATOR_TOKEN must be at least 16 characters long.');
    await this.operatorPrincipal();
    this.configuredOperatorHash = hashSecret(value);
  }
}

function actorOf(
  principal: { id: string; provider: string; kind: string; name: string; role: string | null },
  grants: { permissions: string[] | null; personaIds: string[] | null },
  credential: { id: string; expiresAt: Date | null },
): Actor {
  return {
    kind: principal.provider === OPERATOR_PROVIDER ? 'operator' : 'principal',
    provider: principal.provider,
    principalId: principal.id,
    principalKind: principal.kind,
    name: principal.name,
    role: principal.role,
    permissions: new Set(grants.permissions ?? []),
    personaIds: grants.personaIds ?? [],
    credentialId: credential.id,
    credentialExpiresAt: credential.expiresAt,
  };
}
