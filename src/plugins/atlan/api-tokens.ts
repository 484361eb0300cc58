import { randomUUID } from 'node:crypto';
import {
  badInput,
  conflict,
  CoreActions,
  isUuid,
  notFound,
  type CoreServices,
  type ProviderDescriptor,
  type RequestContext,
} from '../../core';
import { PrincipalEntity, type PersonaEntity } from '../../entities';
import { ATLAN_KINDS } from './atlan.policy';

/** Atlan's documented "never expires" value. */
export const NEVER_EXPIRES_SECONDS = 409968000;
/** What the SDKs cap validity at (5 years), and send for negative values. */
export const MAX_VALIDITY_SECONDS = 157680000;

export const CLIENT_ID_PREFIX = 'apikey-';
export const USERNAME_PREFIX = 'service-account-';

/**
 * The lifespan stored for a requested `validitySeconds`:
 * - 409968000 (the vendor's "never expires"): no expiry; `access.token.lifespan` says 409968000.
 * - missing, negative or above 157680000: 157680000 (5 years), as the SDKs send.
 * - 1..157680000: as asked. Zero and non-integers are refused.
 */
export function validityFor(requested: unknown): { lifespanSeconds: number | null; stored: number } {
  if (requested === undefined || requested === null) return { lifespanSeconds: MAX_VALIDITY_SECONDS, stored: MAX_VALIDITY_SECONDS };
  if (typeof requested !== 'number' || !Number.isInteger(requested))
    throw badInput('validitySeconds must be a whole number of seconds.', { field: 'validitySeconds' });
  if (requested === NEVER_EXPIRES_SECONDS) return { lifespanSeconds: null, stored: NEVER_EXPIRES_SECONDS };
  if (requested === 0)
    throw badInput(`validitySeconds must not be 0: give seconds, a negative value for the ${MAX_VALIDITY_SECONDS}-second maximum, or ${NEVER_EXPIRES_SECONDS} for never.`, {
      field: 'validitySeconds',
    });
  if (requested < 0 || requested > MAX_VALIDITY_SECONDS) return { lifespanSeconds: MAX_VALIDITY_SECONDS, stored: MAX_VALIDITY_SECONDS };
  return { lifespanSeconds: requested, stored: requested };
}

/** `apikey-…` from a client id given with or without the `service-account-` prefix. */
export function normalizeClientId(value: string): string {
  return value.startsWith(USERNAME_PREFIX) ? value.slice(USERNAME_PREFIX.length) : value;
}

export function looksLikeClientId(value: string): boolean {
  return normalizeClientId(value).startsWith(CLIENT_ID_PREFIX);
}

export interface ApiTokenFields {
  displayName: string;
  description: string;
  personaQualifiedNames: string[];
}

export interface ApiTokenRecord {
  id: string;
  clientId: string | null;
  displayName: string;
  attributes: Record<string, unknown>;
}

/** The vendor's record; `encodeLists` JSON-encodes the list-valued attributes as list and retrieve do. */
export function toRecord(account: PrincipalEntity, personas: readonly PersonaEntity[], options: { encodeLists: boolean; accessToken?: string }): ApiTokenRecord {
  const lists = {
    personas: personas.map((p) => ({ id: p.id, persona: p.name, personaQualifiedName: p.qualifiedName })),
    personaQualifiedName: personas.map((p) => p.qualifiedName),
    workspacePermissions: (account.attributes.workspacePermissions as string[] | undefined) ?? [],
  };
  const encoded = options.encodeLists
    ? Object.fromEntries(Object.entries(lists).map(([key, value]) => [key, JSON.stringify(value)]))
    : lists;
  return {
    id: account.id,
    clientId: account.clientId,
    displayName: account.name,
    attributes: {
      clientId: account.clientId,
      displayName: account.name,
      description: account.description ?? '',
      createdAt: account.createdAt.getTime(),
      createdBy: account.createdBy,
      'access.token.lifespan': account.attributes.validitySeconds ?? null,
      ...encoded,
      ...(options.accessToken ? { accessToken: options.accessToken } : {}),
    },
  };
}

/** Required display name, description (may be empty) and a persona list (the complete set). */
export function readFields(body: Record<string, unknown>, options: { descriptionRequired: boolean }): ApiTokenFields {
  const displayName = body.displayName;
  if (typeof displayName !== 'string' || !displayName.trim())
    throw badInput('displayName is required: a non-empty string.', { field: 'displayName' });
  if (displayName.trim().length > 255) throw badInput('displayName is longer than 255 characters.', { field: 'displayName' });
  const description = body.description;
  if (description === undefined || description === null) {
    if (options.descriptionRequired)
      throw badInput('description is required; send an empty string for none.', { field: 'description' });
  } else if (typeof description !== 'string') {
    throw badInput('description must be a string (empty for none).', { field: 'description' });
  } else if (description.length > 4096) {
    throw badInput('description is longer than 4096 characters.', { field: 'description' });
  }
  if (body.personas !== undefined && body.personas !== null && !Array.isArray(body.personas))
    throw badInput('personas must be a list (it is unused: send []).', { field: 'personas' });
  const given = body.personaQualifiedNames;
  if (given !== undefined && given !== null && (!Array.isArray(given) || given.some((v) => typeof v !== 'string')))
    throw badInput('personaQualifiedNames must be a list of persona qualified names.', { field: 'personaQualifiedNames' });
  const names = (body.personaQualifiedNames as string[] | undefined | null) ?? [];
  return { displayName: displayName.trim(), description: (description as string | undefined | null) ?? '', personaQualifiedNames: names };
}

/** A unique-index violation (a concurrent create or rename took the name first) is a CONFLICT, not a 500. */
async function uniqueNames<T>(work: () => Promise<T>, name: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const e = error as { code?: string; driverError?: { code?: string } };
    if (e.code === '23505' || e.driverError?.code === '23505') throw conflict(`An Atlan principal named "${name}" already exists.`);
    throw error;
  }
}

const SORT_COLUMNS: Record<string, string> = { createdAt: 'sa.created_at', displayName: 'sa.name', clientId: 'sa.client_id' };
const FILTER_COLUMNS: Record<string, string> = { displayName: 'sa.name', clientId: 'sa.client_id', id: 'sa.id' };

export interface ListParams {
  limit: number;
  offset: number;
  sort: { column: string; direction: 'ASC' | 'DESC' };
  filter: Record<string, { op: 'eq' | 'ilike'; value: string }>;
}

/** Parses `limit`, `offset`, `sort`, `filter` and `count` as the vendor's list takes them; 400 for anything else. */
export function parseListQuery(query: Record<string, unknown>): ListParams {
  const single = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw badInput(`Give ${name} once, as a plain value.`, { field: name });
    return value;
  };
  const whole = (name: string, fallback: number, min: number, max: number) => {
    const raw = single(name);
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
      throw badInput(`${name} must be a whole number from ${min} to ${max}, got "${raw}".`, { field: name });
    return Number(raw);
  };
  const limit = whole('limit', 100, 0, 1000);
  const offset = whole('offset', 0, 0, 1_000_000_000);
  const count = single('count');
  if (count !== undefined && count !== '' && count !== 'true' && count !== 'false')
    throw badInput(`count must be true or false, got "${count}".`, { field: 'count' });

  const sortRaw = single('sort') || '-createdAt';
  const key = sortRaw.replace(/^[-+]/, '');
  if (!SORT_COLUMNS[key])
    throw badInput(`Unknown sort key "${sortRaw}". Sort by ${Object.keys(SORT_COLUMNS).join(', ')}, with a leading "-" for descending.`, { field: 'sort' });
  const sort = { column: SORT_COLUMNS[key], direction: sortRaw.startsWith('-') ? ('DESC' as const) : ('ASC' as const) };

  const filter: ListParams['filter'] = {};
  const filterRaw = single('filter');
  if (filterRaw !== undefined && filterRaw !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(filterRaw);
    } catch {
      throw badInput(`filter must be JSON, e.g. {"displayName":"my token"}; got ${JSON.stringify(filterRaw.slice(0, 100))}.`, { field: 'filter' });
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw badInput('filter must be a JSON object, e.g. {"clientId":"apikey-…"}.', { field: 'filter' });
    for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (!FILTER_COLUMNS[name])
        throw badInput(`Unknown filter key "${name}". Filter on ${Object.keys(FILTER_COLUMNS).join(', ')}.`, { field: 'filter' });
      if (typeof value === 'string') filter[name] = { op: 'eq', value };
      else if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as { $ilike?: unknown }).$ilike === 'string' && name !== 'id')
        filter[name] = { op: 'ilike', value: (value as { $ilike: string }).$ilike };
      else throw badInput(`filter.${name} must be a string${name === 'id' ? '' : ' or {"$ilike": "pattern"}'}.`, { field: 'filter' });
    }
  }
  return { limit, offset, sort, filter };
}

/** Atlan API tokens over core: every call authorizes through core/authz with the provider's policy. */
export class ApiTokens {
  constructor(
    private readonly core: CoreServices,
    private readonly provider: ProviderDescriptor,
  ) {}

  async create(ctx: RequestContext, fields: ApiTokenFields, validitySeconds: unknown): Promise<{ account: PrincipalEntity; secret: string }> {
    const validity = validityFor(validitySeconds);
    const clientId = `${CLIENT_ID_PREFIX}${randomUUID()}`;
    return uniqueNames(
      () =>
        this.core.db.transaction(async (tx) => {
          const [issued] = await this.core.principals.create(
            ctx,
            this.provider,
            [
              {
                kind: ATLAN_KINDS.apiToken,
                name: fields.displayName,
                displayName: fields.displayName,
                description: fields.description,
                clientId,
                username: `${USERNAME_PREFIX}${clientId}`,
                attributes: { validitySeconds: validity.stored, workspacePermissions: [] },
                personaQualifiedNames: fields.personaQualifiedNames,
              },
            ],
            { tx },
          );
          const token = await this.core.tokens.issueAccessToken(ctx, this.provider, issued.record, {
            kind: ATLAN_KINDS.apiToken,
            lifespanSeconds: validity.lifespanSeconds,
            action: CoreActions.createServiceAccount,
            tx,
          });
          return { account: issued.record, secret: token.secret! };
        }),
      fields.displayName,
    );
  }

  /** Display name, description and the complete persona set, in one transaction under the row lock. */
  async update(ctx: RequestContext, id: string, fields: ApiTokenFields): Promise<PrincipalEntity> {
    return uniqueNames(
      () =>
        this.core.db.transaction(async (tx) => {
          const account = await this.findToken(id, tx.manager);
          await this.core.guard.require(ctx, this.provider, CoreActions.updateServiceAccount, { ownerId: account.id });
          // Locks the row first: a racing update waits, then replaces the whole set in turn.
          await this.core.principals.setPersonas(ctx, this.provider, account.id, fields.personaQualifiedNames, tx);
          const other = await this.core.principals.findByName(this.provider.id, fields.displayName, tx.manager);
          if (other && other.id !== account.id) throw conflict(`An Atlan principal named "${fields.displayName}" already exists.`);
          const now = this.core.clock.now();
          await tx.manager.update(
            PrincipalEntity,
            { id: account.id },
            { name: fields.displayName, displayName: fields.displayName, description: fields.description, updatedAt: now },
          );
          await this.core.audit.record(
            {
              actor: ctx.actor,
              action: CoreActions.updateServiceAccount,
              provider: this.provider.id,
              target: account.id,
              outcome: 'success',
              origin: ctx.origin,
              detail: { name: fields.displayName, personas: fields.personaQualifiedNames.length },
            },
            tx.manager,
          );
          return (await this.core.principals.find(account.id, tx.manager))!;
        }),
      fields.displayName,
    );
  }

  async delete(ctx: RequestContext, id: string) {
    await this.findToken(id);
    return this.core.principals.delete(ctx, this.provider, id);
  }

  async list(ctx: RequestContext, params: ListParams) {
    await this.core.guard.require(ctx, this.provider, CoreActions.listServiceAccounts);
    const base = this.core.db.manager
      .createQueryBuilder(PrincipalEntity, 'sa')
      .where('sa.provider = :provider AND sa.kind = :kind AND sa.deleted_at IS NULL', { provider: this.provider.id, kind: ATLAN_KINDS.apiToken });
    const totalRecord = await base.clone().getCount();
    const filtered = base.clone();
    let index = 0;
    for (const [name, { op, value }] of Object.entries(params.filter)) {
      const param = `f${index++}`;
      const column = FILTER_COLUMNS[name];
      if (name === 'id' && !isUuid(value)) filtered.andWhere('1 = 0');
      else if (op === 'ilike') filtered.andWhere(`${column} ILIKE :${param}`, { [param]: value });
      else filtered.andWhere(`${column} = :${param}`, { [param]: name === 'clientId' ? normalizeClientId(value) : value });
    }
    const filterRecord = await filtered.clone().getCount();
    const rows =
      params.limit === 0
        ? []
        : await filtered.orderBy(params.sort.column, params.sort.direction).addOrderBy('sa.id', params.sort.direction).offset(params.offset).limit(params.limit).getMany();
    const personas = await this.core.catalog.personasOf(rows.map((r) => r.id));
    return { totalRecord, filterRecord, records: rows.map((r) => toRecord(r, personas.get(r.id) ?? [], { encodeLists: true })) };
  }

  async personasOf(id: string): Promise<PersonaEntity[]> {
    return (await this.core.catalog.personasOf([id])).get(id) ?? [];
  }

  /** A live API token of this provider, or NOT_FOUND. */
  async findToken(id: string, manager = this.core.db.manager): Promise<PrincipalEntity> {
    const account = await this.core.principals.find(id, manager);
    if (!account || account.provider !== this.provider.id || account.kind !== ATLAN_KINDS.apiToken) throw notFound('API token');
    return account;
  }
}
