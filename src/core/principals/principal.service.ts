import { In, IsNull, type EntityManager } from 'typeorm';
import {
  PermissionEntity,
  PersonaEntity,
  PrincipalEntity,
  PrincipalPermissionEntity,
  PrincipalPersonaEntity,
} from '../../entities';
import type { ChangeScope } from '../change';
import type { Clock } from '../clock';
import type { ProviderDescriptor } from '../context';
import type { Database } from '../database';
import { badInput, conflict, notFound } from '../errors';
import type { NewTokenEvent } from '../events';
import { generateSecret, hashPassword, hashSecret, type Issued, type SecretKind } from '../secrets';
import { activeTokenSql } from '../tokens';
import { emptyPage, isUuid, keysetPage, type Page } from '../services/pagination';

/** The kinds of principal every provider may use (API.md's `PrincipalKind`, in lower case). */
export const PrincipalKind = {
  user: 'user',
  serviceAccount: 'service_account',
  apiToken: 'api_token',
  oauthClient: 'oauth_client',
  operator: 'operator',
} as const;

export interface NewPrincipal {
  kind: string;
  name: string;
  displayName?: string | null;
  email?: string | null;
  title?: string | null;
  role?: string | null;
  description?: string | null;
  clientId?: string | null;
  /** Use the row's own id as its client id (Talend's one id for every face). */
  clientIdIsId?: boolean;
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

/** The columns an update may change; what is left out stays. */
export interface PrincipalChanges {
  name?: string;
  displayName?: string | null;
  description?: string | null;
}

/** What a list asks for. Keyset paging (`first`/`after`) for GraphQL, offset paging for vendor lists. */
export interface PrincipalQuery {
  providers: readonly string[];
  kinds?: readonly string[];
  /** Column → exact value or case-insensitive pattern; `id` matches exactly. */
  filter?: Record<string, { op: 'eq' | 'ilike'; value: string }>;
  sort?: { field: 'createdAt' | 'name' | 'clientId'; direction: 'ASC' | 'DESC' };
  first?: number | null;
  after?: string | null;
  /** False: `totalCount` is not counted (reads 0). */
  countTotal?: boolean;
  offset?: number;
  limit?: number;
}

export interface PrincipalPage extends Page<PrincipalEntity> {
  /** How many match the filter (`totalCount` counts every principal of the kinds asked). */
  filteredCount: number;
}

const COLUMNS = { createdAt: 'p.created_at', name: 'p.name', clientId: 'p.client_id', id: 'p.id', displayName: 'p.name' } as const;

/**
 * Principals, their grants (permissions, personas) and their secrets: the one place that reads
 * and writes `service_account` and its grant tables, and the one place name uniqueness is checked.
 */
export class PrincipalService {
  /** Told after a change of an account's own columns commits (caches keyed by the account drop it). */
  onUpdated: (id: string) => void = () => undefined;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Creates accounts (all in the scope's transaction); emits CREATED for each. */
  async create(scope: ChangeScope, provider: ProviderDescriptor, inputs: readonly NewPrincipal[]): Promise<Issued<PrincipalEntity>[]> {
    const { manager } = scope.tx;
    this.validateRoles(provider, inputs);
    const passwordHashes = await Promise.all(inputs.map((i) => (i.passwordHash ? i.passwordHash : i.password ? hashPassword(i.password) : null)));
    await this.assertPermissionsExist(manager, provider, inputs.flatMap((i) => i.permissions ?? []));
    const personaIdsByName = await this.resolvePersonas(manager, provider, inputs.flatMap((i) => i.personaQualifiedNames ?? []));
    await this.assertNamesFree(manager, provider.id, inputs.map((i) => i.name));
    const now = this.clock.now();
    const secrets = inputs.map((input) => (input.secretKind ? generateSecret(input.secretKind) : null));
    const rows = inputs.map((input, index) =>
      manager.create(PrincipalEntity, {
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
        secretHash: secrets[index] ? hashSecret(secrets[index]) : null,
        createdAt: now,
        updatedAt: now,
        createdBy: scope.ctx.actor?.name ?? null,
      }),
    );
    const saved: PrincipalEntity[] = [];
    for (let start = 0; start < rows.length; start += 500) {
      saved.push(...(await manager.save(PrincipalEntity, rows.slice(start, start + 500), { reload: true })));
    }
    const ownIds = saved.filter((account, i) => inputs[i].clientIdIsId);
    for (const account of ownIds) {
      await manager.update(PrincipalEntity, { id: account.id }, { clientId: account.id });
      account.clientId = account.id;
    }
    const permissionRows = saved.flatMap((account, i) => [...new Set(inputs[i].permissions ?? [])].map((code) => ({ serviceAccountId: account.id, code })));
    const personaRows = saved.flatMap((account, i) =>
      [...new Set(inputs[i].personaQualifiedNames ?? [])].map((q) => ({ serviceAccountId: account.id, personaId: personaIdsByName.get(q)!, createdAt: now })),
    );
    if (permissionRows.length) await manager.insert(PrincipalPermissionEntity, permissionRows);
    if (personaRows.length) await manager.insert(PrincipalPersonaEntity, personaRows);
    scope.emit(...saved.map((a) => ({ provider: provider.id, kind: 'CREATED' as const, subjectType: 'SERVICE_ACCOUNT' as const, subjectId: a.id, serviceAccountId: a.id })));
    if (saved.length === 1) {
      scope.setTarget(saved[0].id);
      scope.addDetail({ name: saved[0].name });
    } else {
      scope.setTarget(`${saved.length} accounts`);
      scope.addDetail({ count: saved.length });
    }
    return saved.map((record, i) => ({ record, secret: secrets[i] }));
  }

  /** Unchecked lookup of a live principal. */
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
    if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > 255) return null;
    return manager.findOne(PrincipalEntity, { where: { clientId, deletedAt: IsNull() } });
  }

  /** Locks a live principal's row for the rest of the change (racing changes to it wait), or NOT_FOUND. */
  async lock(scope: ChangeScope, id: string, what = 'Service account'): Promise<PrincipalEntity> {
    const [row] = isUuid(id) ? await scope.tx.manager.query('SELECT id FROM service_account WHERE id = $1 AND deleted_at IS NULL FOR UPDATE', [id]) : [];
    const account = row ? await this.find(id, scope.tx.manager) : null;
    if (!account) throw notFound(what);
    return account;
  }

  /** Names already taken in a provider, among `names` (import previews). */
  async takenNames(providerId: string, names: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let start = 0; start < names.length; start += 1000) {
      const rows = await this.db.manager.find(PrincipalEntity, { select: { name: true }, where: { provider: providerId, name: In(names.slice(start, start + 1000)), deletedAt: IsNull() } });
      for (const row of rows) found.add(row.name);
    }
    return found;
  }

  async list(query: PrincipalQuery): Promise<PrincipalPage> {
    if (query.providers.length === 0) return { ...emptyPage<PrincipalEntity>(), filteredCount: 0 };
    const base = this.db.manager.createQueryBuilder(PrincipalEntity, 'p').where('p.provider IN (:...providers)', { providers: query.providers }).andWhere('p.deleted_at IS NULL');
    if (query.kinds?.length) base.andWhere('p.kind IN (:...kinds)', { kinds: query.kinds });
    const filtered = base.clone();
    let index = 0;
    for (const [field, { op, value }] of Object.entries(query.filter ?? {})) {
      const column = COLUMNS[field as keyof typeof COLUMNS];
      if (!column) throw badInput(`Unknown filter field "${field}".`, { field: 'filter' });
      const param = `f${index++}`;
      if (field === 'id' && !isUuid(value)) filtered.andWhere('1 = 0');
      else if (op === 'ilike' && field !== 'id') filtered.andWhere(`${column} ILIKE :${param}`, { [param]: value });
      else filtered.andWhere(`${column} = :${param}`, { [param]: value });
    }
    if (query.limit !== undefined) {
      const totalCount = await base.getCount();
      const filteredCount = await filtered.clone().getCount();
      const sort = query.sort ?? { field: 'createdAt', direction: 'ASC' };
      const nodes =
        query.limit === 0
          ? []
          : await filtered.orderBy(COLUMNS[sort.field], sort.direction).addOrderBy('p.id', sort.direction).offset(query.offset ?? 0).limit(query.limit).getMany();
      return { nodes, hasNextPage: (query.offset ?? 0) + nodes.length < filteredCount, endCursor: null, totalCount, filteredCount };
    }
    const page = await keysetPage(filtered, 'p', query);
    return { ...page, filteredCount: page.totalCount };
  }

  /** Changes columns of a locked account; a name another live principal of the provider has is a CONFLICT. */
  async update(scope: ChangeScope, account: PrincipalEntity, changes: PrincipalChanges): Promise<PrincipalEntity> {
    const { manager } = scope.tx;
    if (changes.name !== undefined && changes.name !== account.name) await this.assertNamesFree(manager, account.provider, [changes.name]);
    const fields = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    await manager.update(PrincipalEntity, { id: account.id }, { ...fields, updatedAt: this.clock.now() });
    // No event says "renamed": this instance's caches drop the account at commit, the others within their minute.
    scope.tx.afterCommit(() => this.onUpdated(account.id));
    scope.setTarget(account.id);
    scope.addDetail({ changed: Object.keys(fields) });
    return (await this.find(account.id, manager))!;
  }

  /** Deletes the account and revokes every token it holds, at once. */
  async delete(scope: ChangeScope, account: PrincipalEntity): Promise<string[]> {
    const { manager } = scope.tx;
    const now = this.clock.now();
    const locked = await manager.query('UPDATE service_account SET deleted_at = $2, updated_at = $2, client_id = NULL WHERE id = $1 AND deleted_at IS NULL RETURNING id', [account.id, now]);
    if (!unwrapRows(locked).length) throw notFound('Service account');
    const events: NewTokenEvent[] = [];
    for (const [table, subjectType] of [
      ['refresh_token', 'REFRESH_TOKEN'],
      ['access_token', 'ACCESS_TOKEN'],
    ] as const) {
      const rows: { id: string }[] = unwrapRows(
        await manager.query(`UPDATE ${table} SET revoked_at = $2, revoked_by = $3 WHERE owner_id = $1 AND revoked_at IS NULL RETURNING id`, [account.id, now, scope.ctx.actor?.name ?? 'operator']),
      );
      for (const row of rows) events.push({ provider: account.provider, kind: 'REVOKED', subjectType, subjectId: row.id, serviceAccountId: account.id });
    }
    events.push({ provider: account.provider, kind: 'DELETED', subjectType: 'SERVICE_ACCOUNT', subjectId: account.id, serviceAccountId: account.id });
    scope.emit(...events);
    scope.setTarget(account.id);
    scope.addDetail({ revokedTokens: events.length - 1 });
    return events.filter((e) => e.subjectType !== 'SERVICE_ACCOUNT').map((e) => e.subjectId);
  }

  /**
   * A new show-once secret for a locked account (an OAuth client's). The old one stops working at
   * once, or keeps working for `overlapSeconds` (clients switch over without downtime); a
   * secret still in an earlier overlap is dropped now: at most two secrets work at any time.
   */
  async replaceSecret(scope: ChangeScope, account: PrincipalEntity, kind: SecretKind, overlapSeconds = 0): Promise<Issued<PrincipalEntity>> {
    const secret = generateSecret(kind);
    const now = this.clock.now();
    const overlap = overlapSeconds > 0 && account.secretHash;
    await scope.tx.manager.update(
      PrincipalEntity,
      { id: account.id },
      {
        secretHash: hashSecret(secret),
        previousSecretHash: overlap ? account.secretHash : null,
        previousSecretExpiresAt: overlap ? new Date(now.getTime() + overlapSeconds * 1000) : null,
        updatedAt: now,
      },
    );
    scope.emit({ provider: account.provider, kind: 'SECRET_CHANGED', subjectType: 'SERVICE_ACCOUNT', subjectId: account.id, serviceAccountId: account.id });
    scope.setTarget(account.id);
    scope.addDetail({ overlapSeconds: overlap ? overlapSeconds : 0 });
    return { record: (await this.find(account.id, scope.tx.manager))!, secret };
  }

  /** Replaces the persona set whole: what is not listed is unlinked. Lock the account first. */
  async setPersonas(scope: ChangeScope, provider: ProviderDescriptor, id: string, qualifiedNames: readonly string[]) {
    const { manager } = scope.tx;
    const byName = await this.resolvePersonas(manager, provider, qualifiedNames);
    await manager.delete(PrincipalPersonaEntity, { serviceAccountId: id });
    const now = this.clock.now();
    const rows = [...byName.values()].map((personaId) => ({ serviceAccountId: id, personaId, createdAt: now }));
    if (rows.length) await manager.insert(PrincipalPersonaEntity, rows);
    scope.emit({ provider: provider.id, kind: 'PERSONAS_CHANGED', subjectType: 'SERVICE_ACCOUNT', subjectId: id, serviceAccountId: id });
  }

  /** Replaces the permission set whole. Lock the account first. */
  async setPermissions(scope: ChangeScope, provider: ProviderDescriptor, id: string, codes: readonly string[]) {
    const { manager } = scope.tx;
    await this.assertPermissionsExist(manager, provider, codes);
    await manager.delete(PrincipalPermissionEntity, { serviceAccountId: id });
    const unique = [...new Set(codes)];
    if (unique.length) await manager.insert(PrincipalPermissionEntity, unique.map((code) => ({ serviceAccountId: id, code })));
    scope.emit({ provider: provider.id, kind: 'PERMISSIONS_CHANGED', subjectType: 'SERVICE_ACCOUNT', subjectId: id, serviceAccountId: id });
  }

  /** The permission ids a principal holds, sorted. */
  async permissionCodes(id: string, manager: EntityManager = this.db.manager): Promise<string[]> {
    const grants = await manager.find(PrincipalPermissionEntity, { where: { serviceAccountId: id }, order: { code: 'ASC' } });
    return grants.map((g) => g.code);
  }

  /** How many live tokens of a kind a principal holds (read inside the change that holds its lock). */
  async countActiveTokens(scope: ChangeScope, ownerId: string, kind: string): Promise<number> {
    const [{ active }] = await scope.tx.manager.query(
      `SELECT count(*)::int AS active FROM access_token t WHERE t.owner_id = $1 AND t.kind = $2 AND ${activeTokenSql('t', '$3')}`,
      [ownerId, kind, this.clock.now()],
    );
    return Number(active);
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

  /** The one name check: a name is unique among a provider's live principals (the unique index backs it under races). */
  private async assertNamesFree(manager: EntityManager, providerId: string, names: readonly string[]) {
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) throw conflict(`The name "${name}" is given twice.`);
      seen.add(name);
    }
    for (let start = 0; start < names.length; start += 1000) {
      const taken = await manager.find(PrincipalEntity, { select: { name: true }, where: { provider: providerId, name: In(names.slice(start, start + 1000)), deletedAt: IsNull() } });
      if (taken.length) throw conflict(`A ${providerId} principal named "${taken[0].name}" already exists.`);
    }
  }
}

/** `manager.query` returns `[rows, count]` for UPDATE … RETURNING on the postgres driver. */
export function unwrapRows<T>(result: T[] | [T[], number]): T[] {
  return Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
}
