import { In, IsNull, type EntityManager } from 'typeorm';
import {
  AccessTokenEntity,
  PermissionEntity,
  PersonaEntity,
  RefreshTokenEntity,
  PrincipalEntity,
  PrincipalPermissionEntity,
  PrincipalPersonaEntity,
} from '../../entities';
import type { AuditService } from '../audit';
import { CoreActions, type AccessGuard } from '../authz';
import type { Clock } from '../clock';
import type { ProviderDescriptor, RequestContext } from '../context';
import type { Database, Transaction } from '../database';
import { badInput, conflict, notFound } from '../errors';
import type { EventService, NewTokenEvent } from '../events';
import { generateSecret, hashPassword, hashSecret, type Issued, type SecretKind } from '../secrets';
import { emptyPage, isUuid, keysetPage, visibleProviders, type Page } from '../services/pagination';

export interface NewPrincipal {
  kind: string;
  name: string;
  displayName?: string | null;
  email?: string | null;
  title?: string | null;
  role?: string | null;
  description?: string | null;
  clientId?: string | null;
  username?: string | null;
  attributes?: Record<string, unknown>;
  /** Stored as a memory-hard hash; the plain value goes nowhere. */
  password?: string | null;
  /** Already hashed elsewhere (bulk imports hash in parallel before the transaction). */
  passwordHash?: string | null;
  /** Issue a show-once secret of this kind, stored as a hash on the account (Talend's id:secret). */
  secretKind?: SecretKind;
  permissions?: readonly string[];
  personaQualifiedNames?: readonly string[];
}


export class PrincipalService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly events: EventService,
    private readonly guard: AccessGuard,
  ) {}

  /** Creates accounts; all in one transaction, or none. */
  async create(
    ctx: RequestContext,
    provider: ProviderDescriptor,
    inputs: readonly NewPrincipal[],
    options: { action?: string; tx?: Transaction } = {},
  ): Promise<Issued<PrincipalEntity>[]> {
    const action = options.action ?? CoreActions.createServiceAccount;
    await this.guard.require(ctx, provider, action);
    this.validateRoles(provider, inputs);
    const passwordHashes = await Promise.all(
      inputs.map((i) => (i.passwordHash ? i.passwordHash : i.password ? hashPassword(i.password) : null)),
    );
    const run = async (tx: Transaction) => {
      const { manager } = tx;
      await this.assertPermissionsExist(manager, provider, inputs.flatMap((i) => i.permissions ?? []));
      const personaIdsByName = await this.resolvePersonas(manager, provider, inputs.flatMap((i) => i.personaQualifiedNames ?? []));
      await this.assertNamesFree(manager, provider.id, inputs.map((i) => i.name));
      const now = this.clock.now();
      const issued: Issued<PrincipalEntity>[] = [];
      const rows = inputs.map((input, index) => {
        const secret = input.secretKind ? generateSecret(input.secretKind) : null;
        issued.push({ record: undefined as never, secret });
        return manager.create(PrincipalEntity, {
          provider: provider.id,
          kind: input.kind,
          name: input.name,
          displayName: input.displayName ?? null,
          email: input.email ?? null,
          title: input.title ?? null,
          role: input.role ?? null,
          description: input.description ?? null,
          clientId: input.clientId ?? null,
          username: input.username ?? null,
          attributes: input.attributes ?? {},
          passwordHash: passwordHashes[index],
          secretHash: secret ? hashSecret(secret) : null,
          createdAt: now,
          updatedAt: now,
          createdBy: ctx.actor?.name ?? null,
        });
      });
      const saved: PrincipalEntity[] = [];
      for (let start = 0; start < rows.length; start += 500) {
        saved.push(...(await manager.save(PrincipalEntity, rows.slice(start, start + 500), { reload: true })));
      }
      const permissionRows = saved.flatMap((account, i) =>
        [...new Set(inputs[i].permissions ?? [])].map((code) => ({ serviceAccountId: account.id, code })),
      );
      const personaRows = saved.flatMap((account, i) =>
        [...new Set(inputs[i].personaQualifiedNames ?? [])].map((q) => ({
          serviceAccountId: account.id,
          personaId: personaIdsByName.get(q)!,
          createdAt: now,
        })),
      );
      if (permissionRows.length) await manager.insert(PrincipalPermissionEntity, permissionRows);
      if (personaRows.length) await manager.insert(PrincipalPersonaEntity, personaRows);
      await this.events.append(
        tx,
        ctx.actor,
        saved.map((a) => ({ provider: provider.id, kind: 'CREATED', subjectType: 'SERVICE_ACCOUNT', subjectId: a.id, serviceAccountId: a.id })),
      );
      await this.audit.record(
        {
          actor: ctx.actor,
          action,
          provider: provider.id,
          target: saved.length === 1 ? saved[0].id : `${saved.length} accounts`,
          outcome: 'success',
          origin: ctx.origin,
          detail: saved.length === 1 ? { name: saved[0].name } : { count: saved.length },
        },
        manager,
      );
      return saved.map((record, i) => ({ record, secret: issued[i].secret }));
    };
    return options.tx ? run(options.tx) : this.db.transaction(run);
  }

  async get(ctx: RequestContext, provider: ProviderDescriptor, id: string): Promise<PrincipalEntity> {
    const account = await this.find(id);
    if (!account || account.provider !== provider.id) throw notFound('Service account');
    await this.guard.require(ctx, provider, CoreActions.readServiceAccount, { ownerId: account.id, ownerKind: account.kind });
    return account;
  }

  /** Unchecked lookup for the schema's loaders and the providers' own flows. */
  async find(id: string, manager: EntityManager = this.db.manager): Promise<PrincipalEntity | null> {
    if (!isUuid(id)) return null;
    return manager.findOne(PrincipalEntity, { where: { id, deletedAt: IsNull() } });
  }

  async findByName(providerId: string, name: string, manager: EntityManager = this.db.manager) {
    return manager.findOne(PrincipalEntity, { where: { provider: providerId, name, deletedAt: IsNull() } });
  }

  async findByNumber(providerId: string, number: number | string, manager: EntityManager = this.db.manager) {
    if (!/^\d{1,18}$/.test(String(number))) return null;
    return manager.findOne(PrincipalEntity, { where: { provider: providerId, number: String(number), deletedAt: IsNull() } });
  }

  async findByClientId(clientId: string, manager: EntityManager = this.db.manager) {
    return manager.findOne(PrincipalEntity, { where: { clientId, deletedAt: IsNull() } });
  }

  async list(
    ctx: RequestContext,
    providers: ProviderDescriptor[],
    args: { first?: number | null; after?: string | null; kinds?: readonly string[]; explicit?: boolean },
  ): Promise<Page<PrincipalEntity>> {
    const visible = await visibleProviders(ctx, this.guard, providers, CoreActions.listServiceAccounts, Boolean(args.explicit));
    if (visible.length === 0) return emptyPage();
    const qb = this.db.manager
      .createQueryBuilder(PrincipalEntity, 'sa')
      .where('sa.provider IN (:...providers)', { providers: visible })
      .andWhere('sa.deleted_at IS NULL');
    if (args.kinds?.length) qb.andWhere('sa.kind IN (:...kinds)', { kinds: args.kinds });
    return keysetPage(qb, 'sa', args);
  }

  /** Deletes the account and revokes every token it holds, at once, in one transaction. */
  async delete(ctx: RequestContext, provider: ProviderDescriptor, id: string, options: { tx?: Transaction } = {}) {
    const run = async (tx: Transaction) => {
      const account = await this.find(id, tx.manager);
      if (!account || account.provider !== provider.id) throw notFound('Service account');
      await this.guard.require(ctx, provider, CoreActions.deleteServiceAccount, { ownerId: account.id, ownerKind: account.kind });
      const now = this.clock.now();
      const revokedBy = ctx.actor?.name ?? 'operator';
      const locked = await tx.manager
        .createQueryBuilder()
        .update(PrincipalEntity)
        .set({ deletedAt: now, updatedAt: now, clientId: null })
        .where('id = :id AND deleted_at IS NULL', { id })
        .execute();
      if (!locked.affected) throw notFound('Service account');
      const events: NewTokenEvent[] = [];
      for (const [entity, subjectType] of [
        [RefreshTokenEntity, 'REFRESH_TOKEN'],
        [AccessTokenEntity, 'ACCESS_TOKEN'],
      ] as const) {
        const revoked = await tx.manager
          .createQueryBuilder()
          .update(entity)
          .set({ revokedAt: now, revokedBy })
          .where('owner_id = :id AND revoked_at IS NULL', { id })
          .returning(['id'])
          .execute();
        for (const row of revoked.raw as { id: string }[])
          events.push({ provider: provider.id, kind: 'REVOKED', subjectType, subjectId: row.id, serviceAccountId: id });
      }
      events.push({ provider: provider.id, kind: 'DELETED', subjectType: 'SERVICE_ACCOUNT', subjectId: id, serviceAccountId: id });
      await this.events.append(tx, ctx.actor, events);
      await this.audit.record(
        { actor: ctx.actor, action: CoreActions.deleteServiceAccount, provider: provider.id, target: id, outcome: 'success', origin: ctx.origin, detail: { revokedTokens: events.length - 1 } },
        tx.manager,
      );
      return { account, revokedTokenIds: events.filter((e) => e.subjectType !== 'SERVICE_ACCOUNT').map((e) => e.subjectId) };
    };
    return options.tx ? run(options.tx) : this.db.transaction(run);
  }

  /**
   * A new show-once secret for an account (an OAuth client's), replacing the old one at once.
   * Tokens already issued are untouched; revoke them separately where that is wanted.
   */
  async replaceSecret(
    ctx: RequestContext,
    provider: ProviderDescriptor,
    id: string,
    kind: SecretKind,
    options: { action: string; tx?: Transaction },
  ): Promise<Issued<PrincipalEntity>> {
    const run = async (tx: Transaction) => {
      const [locked] = await tx.manager.query('SELECT id FROM service_account WHERE id = $1 AND provider = $2 AND deleted_at IS NULL FOR UPDATE', [id, provider.id]);
      if (!locked) throw notFound('Service account');
      await this.guard.require(ctx, provider, options.action, { ownerId: id });
      const secret = generateSecret(kind);
      await tx.manager.update(PrincipalEntity, { id }, { secretHash: hashSecret(secret), updatedAt: this.clock.now() });
      await this.events.append(tx, ctx.actor, [{ provider: provider.id, kind: 'SECRET_CHANGED', subjectType: 'SERVICE_ACCOUNT', subjectId: id, serviceAccountId: id }]);
      await this.audit.record({ actor: ctx.actor, action: options.action, provider: provider.id, target: id, outcome: 'success', origin: ctx.origin }, tx.manager);
      return { record: (await this.find(id, tx.manager))!, secret };
    };
    return options.tx ? run(options.tx) : this.db.transaction(run);
  }

  /** Replaces the persona set whole: what is not listed is unlinked. The row lock orders racing updates. */
  async setPersonas(ctx: RequestContext, provider: ProviderDescriptor, id: string, qualifiedNames: readonly string[], tx: Transaction) {
    const { manager } = tx;
    await manager.query('SELECT id FROM service_account WHERE id = $1 FOR UPDATE', [id]);
    const byName = await this.resolvePersonas(manager, provider, qualifiedNames);
    await manager.delete(PrincipalPersonaEntity, { serviceAccountId: id });
    const now = this.clock.now();
    const rows = [...byName.values()].map((personaId) => ({ serviceAccountId: id, personaId, createdAt: now }));
    if (rows.length) await manager.insert(PrincipalPersonaEntity, rows);
    await this.events.append(tx, ctx.actor, [
      { provider: provider.id, kind: 'PERSONAS_CHANGED', subjectType: 'SERVICE_ACCOUNT', subjectId: id, serviceAccountId: id },
    ]);
  }

  /** Replaces the permission set whole. */
  async setPermissions(ctx: RequestContext, provider: ProviderDescriptor, id: string, codes: readonly string[], tx: Transaction) {
    const { manager } = tx;
    await manager.query('SELECT id FROM service_account WHERE id = $1 FOR UPDATE', [id]);
    await this.assertPermissionsExist(manager, provider, codes);
    await manager.delete(PrincipalPermissionEntity, { serviceAccountId: id });
    const unique = [...new Set(codes)];
    if (unique.length) await manager.insert(PrincipalPermissionEntity, unique.map((code) => ({ serviceAccountId: id, code })));
    await this.events.append(tx, ctx.actor, [
      { provider: provider.id, kind: 'PERMISSIONS_CHANGED', subjectType: 'SERVICE_ACCOUNT', subjectId: id, serviceAccountId: id },
    ]);
  }

  private validateRoles(provider: ProviderDescriptor, inputs: readonly NewPrincipal[]) {
    const roles = provider.catalog?.roles;
    if (!roles) return;
    for (const input of inputs) {
      if (input.role != null && !roles.includes(input.role))
        throw badInput(`Unknown role "${input.role}". Allowed roles (case-sensitive): ${roles.join(', ')}.`, { field: 'role' });
    }
  }

  private async assertPermissionsExist(manager: EntityManager, provider: ProviderDescriptor, codes: readonly string[]) {
    const wanted = [...new Set(codes)];
    if (wanted.length === 0) return;
    const found = await manager.find(PermissionEntity, { where: { provider: provider.id, code: In(wanted) } });
    const known = new Set(found.map((p) => p.code));
    const unknown = wanted.filter((c) => !known.has(c));
    if (unknown.length) throw badInput(`Unknown permission(s): ${unknown.join(', ')}.`, { field: 'permissions', unknown });
  }

  private async resolvePersonas(manager: EntityManager, provider: ProviderDescriptor, qualifiedNames: readonly string[]) {
    const wanted = [...new Set(qualifiedNames)];
    const byName = new Map<string, string>();
    if (wanted.length === 0) return byName;
    const found = await manager.find(PersonaEntity, { where: { provider: provider.id, qualifiedName: In(wanted) } });
    for (const p of found) byName.set(p.qualifiedName, p.id);
    const unknown = wanted.filter((q) => !byName.has(q));
    if (unknown.length) throw badInput(`Unknown persona(s): ${unknown.join(', ')}.`, { field: 'personaQualifiedNames', unknown });
    return byName;
  }

  private async assertNamesFree(manager: EntityManager, providerId: string, names: readonly string[]) {
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) throw conflict(`The name "${name}" is given twice.`);
      seen.add(name);
    }
    for (let start = 0; start < names.length; start += 1000) {
      const taken = await manager.find(PrincipalEntity, {
        select: { name: true },
        where: { provider: providerId, name: In(names.slice(start, start + 1000)), deletedAt: IsNull() },
      });
      if (taken.length) throw conflict(`A ${providerId} account named "${taken[0].name}" already exists.`);
    }
  }


}
