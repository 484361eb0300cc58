import type { EntityManager } from 'typeorm';
import { AccessTokenEntity } from '../../entities';
import type { AuditService } from '../audit';
import type { Clock } from '../clock';
import type { RequestContext } from '../context';
import type { Database } from '../database';
import { badInput, conflict, forbidden, notFound, unauthenticated } from '../errors';
import type { EventService } from '../events';
import { generateSecret, hashSecret, SECRET_KINDS, type Issued } from '../secrets';
import { activeTokenSql, tokenStatus, type TokenStatus } from '../tokens';
import { OPERATOR_PROVIDER, OPERATOR_TOKEN_LOCK, type CredentialService } from './credential.service';

export interface OperatorTokenInfo {
  id: string;
  name: string;
  status: TokenStatus;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const NAME = /^[^\p{Cc}]{1,100}$/u;

/**
 * The operator's tokens: each named, audited, its secret shown once. Revoking writes a REVOKED
 * event, so every instance's credential cache forgets the token at once. The last active one
 * cannot be revoked: create its replacement first, so nobody locks the operator out by accident.
 */
export class OperatorTokenService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly events: EventService,
    private readonly credentials: CredentialService,
  ) {}

  async create(ctx: RequestContext, name: string): Promise<Issued<AccessTokenEntity>> {
    await this.requireOperator(ctx, 'operator.createToken');
    const trimmed = name.trim();
    if (!NAME.test(trimmed)) throw badInput('An operator token needs a name of 1 to 100 characters.', { field: 'name' });
    return this.insert(ctx, trimmed, 'operator.createToken', async (manager, ownerId) => {
      const taken = await manager
        .createQueryBuilder(AccessTokenEntity, 't')
        .where('t.owner_id = :owner AND t.revoked_at IS NULL AND t.name = :name', { owner: ownerId, name: trimmed })
        .getCount();
      if (taken) throw conflict(`An active operator token is already named "${trimmed}".`);
    });
  }

  /** `keygate bootstrap`: the first operator token, printed once; refused when one exists. */
  async bootstrap(origin: string): Promise<string> {
    const issued = await this.insert({ actor: null, origin }, 'bootstrap', 'operator.bootstrap', async (manager, ownerId) => {
      const existing = await manager
        .createQueryBuilder(AccessTokenEntity, 't')
        .where(`t.owner_id = :owner AND ${activeTokenSql('t', ':now')}`, { owner: ownerId, now: this.clock.now() })
        .getCount();
      if (existing > 0) throw conflict('An operator token already exists; `npx keygate operator-token create <name>` (or the createOperatorToken mutation) makes another.');
    });
    return issued.secret!;
  }

  /** One new operator token, after `check` passed under the operator-token lock: row, audit and event in one transaction. */
  private async insert(ctx: RequestContext, name: string, action: string, check: (manager: EntityManager, ownerId: string) => Promise<void>): Promise<Issued<AccessTokenEntity>> {
    const principal = await this.credentials.operatorPrincipal();
    return this.db.transaction(async (tx) => {
      const { manager } = tx;
      await manager.query('SELECT pg_advisory_xact_lock($1)', [OPERATOR_TOKEN_LOCK]);
      await check(manager, principal.id);
      const secret = generateSecret(SECRET_KINDS.operator);
      const token = await manager.save(
        manager.create(AccessTokenEntity, {
          provider: OPERATOR_PROVIDER,
          ownerId: principal.id,
          kind: 'operator',
          name,
          secretHash: hashSecret(secret),
          createdAt: this.clock.now(),
          expiresAt: null,
        }),
      );
      await this.audit.record({ actor: ctx.actor, action, provider: OPERATOR_PROVIDER, target: token.id, outcome: 'success', origin: ctx.origin, detail: { name } }, manager);
      await this.events.append(tx, ctx.actor, [{ provider: OPERATOR_PROVIDER, kind: 'CREATED', subjectType: 'ACCESS_TOKEN', subjectId: token.id, serviceAccountId: principal.id }]);
      return { record: token, secret };
    });
  }

  /** Every operator token, newest first, revoked ones included (never a secret). */
  async list(ctx: RequestContext): Promise<OperatorTokenInfo[]> {
    await this.requireOperator(ctx, 'operator.listTokens', false);
    const principal = await this.credentials.operatorPrincipal();
    const rows = await this.db.manager.find(AccessTokenEntity, { where: { ownerId: principal.id, kind: 'operator' }, order: { createdAt: 'DESC', id: 'ASC' } });
    const now = this.clock.now();
    return rows.map((t) => ({ id: t.id, name: t.name ?? '', status: tokenStatus(t, now), createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt }));
  }

  async revoke(ctx: RequestContext, id: string): Promise<string[]> {
    await this.requireOperator(ctx, 'operator.revokeToken');
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('Operator token');
    const principal = await this.credentials.operatorPrincipal();
    const revoked = await this.db.transaction(async (tx) => {
      const { manager } = tx;
      await manager.query('SELECT pg_advisory_xact_lock($1)', [OPERATOR_TOKEN_LOCK]);
      const token = await manager.findOne(AccessTokenEntity, { where: { id, ownerId: principal.id, kind: 'operator' } });
      if (!token || token.revokedAt) throw notFound('Operator token');
      const others = await manager
        .createQueryBuilder(AccessTokenEntity, 't')
        .where('t.owner_id = :owner AND t.kind = :kind AND t.revoked_at IS NULL AND t.id <> :id', { owner: principal.id, kind: 'operator', id })
        .getCount();
      if (others === 0) return false;
      const now = this.clock.now();
      await manager.update(AccessTokenEntity, { id }, { revokedAt: now, revokedBy: ctx.actor ? (ctx.actor.kind === 'operator' ? 'operator' : ctx.actor.principalId) : null });
      await this.audit.record({ actor: ctx.actor, action: 'operator.revokeToken', provider: OPERATOR_PROVIDER, target: id, outcome: 'success', origin: ctx.origin, detail: { name: token.name } }, manager);
      await this.events.append(tx, ctx.actor, [{ provider: OPERATOR_PROVIDER, kind: 'REVOKED', subjectType: 'ACCESS_TOKEN', subjectId: id, serviceAccountId: principal.id }]);
      return true;
    });
    if (!revoked) {
      // Outside the transaction: the refusal is recorded although nothing changed.
      await this.audit.record({ actor: ctx.actor, action: 'operator.revokeToken', provider: OPERATOR_PROVIDER, target: id, outcome: 'denied', origin: ctx.origin, detail: { reason: 'last token' } });
      throw conflict('This is the last operator token: create its replacement (createOperatorToken) first, then revoke it.');
    }
    return [id];
  }

  private async requireOperator(ctx: RequestContext, action: string, audited = true): Promise<void> {
    if (!ctx.actor) throw unauthenticated();
    if (ctx.actor.kind === 'operator') return;
    if (audited) await this.audit.record({ actor: ctx.actor, action, provider: OPERATOR_PROVIDER, outcome: 'denied', origin: ctx.origin });
    throw forbidden('Only the gateway operator manages operator tokens.');
  }
}
