import { badInput, isUuid } from '../../core';
import type { PersonaEntity, PrincipalEntity } from '../../entities';
import type { ListQuery } from '../acts';
import type { ErrorShape } from '../route-kit';
import { atlanError } from './atlan.shapes';
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

const SORT_FIELDS = { createdAt: 'createdAt', displayName: 'name', clientId: 'clientId' } as const;
const FILTER_FIELDS: Record<string, string> = { displayName: 'name', clientId: 'clientId', id: 'id' };

/** Parses `limit`, `offset`, `sort`, `filter` and `count` as the vendor's list takes them (400 for anything else), as the list act's query. */
export function parseListQuery(query: Record<string, unknown>): ListQuery {
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
  if (!(key in SORT_FIELDS))
    throw badInput(`Unknown sort key "${sortRaw}". Sort by ${Object.keys(SORT_FIELDS).join(', ')}, with a leading "-" for descending.`, { field: 'sort' });
  const sort = { field: SORT_FIELDS[key as keyof typeof SORT_FIELDS], direction: sortRaw.startsWith('-') ? ('DESC' as const) : ('ASC' as const) };

  const filter: NonNullable<ListQuery['filter']> = {};
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
      const field = FILTER_FIELDS[name];
      if (!field) throw badInput(`Unknown filter key "${name}". Filter on ${Object.keys(FILTER_FIELDS).join(', ')}.`, { field: 'filter' });
      if (typeof value === 'string') filter[field] = { op: 'eq', value: name === 'clientId' ? normalizeClientId(value) : value };
      else if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as { $ilike?: unknown }).$ilike === 'string' && name !== 'id')
        filter[field] = { op: 'ilike', value: (value as { $ilike: string }).$ilike };
      else throw badInput(`filter.${name} must be a string${name === 'id' ? '' : ' or {"$ilike": "pattern"}'}.`, { field: 'filter' });
    }
  }
  return { kinds: [ATLAN_KINDS.apiToken], limit, offset, sort, filter };
}

/** The GUID in an API token path; a client id there is refused with a message saying which is which. */
export function tokenGuid(value: string, verb: string): string {
  if (isUuid(value)) return value;
  if (looksLikeClientId(value)) {
    const clientId = normalizeClientId(value);
    throw badInput(
      `"${value}" is the API token's client ID; ${verb} /api/service/apikeys/{guid} takes its GUID (the record's "id", like 98fb61da-eb8f-455e-b5ea-c022ee390044), ` +
        `which is not the client ID ("clientId", like apikey-…). Find the GUID with GET /api/service/apikeys?filter={"clientId":"${clientId}"}.`,
      { field: 'guid' },
    );
  }
  throw badInput(`"${value}" is not an API token GUID (the record's "id", like 98fb61da-eb8f-455e-b5ea-c022ee390044).`, { field: 'guid' });
}

/** Write routes take JSON objects only, as Atlan does. */
export function jsonBody(req: { is(type: string): boolean; rawBody: unknown }): Record<string, unknown> {
  if (!req.is('application/json')) throw badInput('Send a JSON body with content-type: application/json.');
  if (!req.rawBody || typeof req.rawBody !== 'object' || Array.isArray(req.rawBody)) throw badInput('The request body must be a JSON object.');
  return req.rawBody as Record<string, unknown>;
}

/** `{error, code, message}` (pyatlan reads `message`); anything unexpected is a masked 500. */
export const atlanErrors: ErrorShape = {
  schema: atlanError,
  render({ code, message }) {
    if (code === 'INTERNAL') return { body: { error: 'internal_server_error', code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } };
    return { body: { error: code.toLowerCase(), code, message } };
  },
};
