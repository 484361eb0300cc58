import { checker, isObject, jsonLoads, ModelError, pydanticBool, pydanticInt, pydanticStr, type Json } from '../support/model';

/**
 * Atlan's API token record read the way each SDK reads it: pyatlan's pydantic models
 * (`pyatlan/model/api_tokens.py`, `pyatlan/model/user.py`), atlan-java's Jackson deserializer
 * (`ApiToken.ApiTokenAttributesDeserializer`) and atlan-go's `encoding/json` with its custom
 * `UnmarshalJSON` (`atlan/model/structs/api_tokens.go`). Ported rule by rule.
 */

export interface ParsedPersona {
  guid: string | null;
  persona: string | null;
  personaQualifiedName: string | null;
}

export interface ParsedApiToken {
  guid: string | null;
  clientId: string | null;
  displayName: string | null;
  /** pyatlan's `ApiToken.username` property: `service-account-` + the client id. */
  username: string | null;
  attributes: {
    accessTokenLifespan: number | null;
    accessToken: string | null;
    clientId: string | null;
    createdAt: number | null;
    createdBy: string | null;
    description: string | null;
    displayName: string | null;
    personaQualifiedName: ParsedPersona[];
    workspacePermissions: string[];
  } | null;
}

// ---- pyatlan (pydantic v1) -------------------------------------------------------------------------

const PY = 'pyatlan';

/** `ApiTokenPersona` (frozen; fields `id` → guid, `persona`, `personaQualifiedName`); extra fields ignored. */
function pyPersona(value: Json, path: string): ParsedPersona {
  if (!isObject(value)) throw new ModelError(PY, path, `value is not a valid dict (ApiTokenPersona), got ${JSON.stringify(value)}`);
  return {
    guid: pydanticStr(PY, value.id, `${path}.id`),
    persona: pydanticStr(PY, value.persona, `${path}.persona`),
    personaQualifiedName: pydanticStr(PY, value.personaQualifiedName, `${path}.personaQualifiedName`),
  };
}

/** A pydantic `Set[...]`/`List[...]` field: any list (sets and tuples do not exist in JSON). */
function pyList(value: Json | undefined, path: string): Json[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw new ModelError(PY, path, `value is not a valid list/set, got ${JSON.stringify(value)}`);
  return value;
}

/** `ApiToken.ApiTokenAttributes`, with its `check_embedded_objects` pre root validator. */
function pyAttributes(raw: Json, path: string): NonNullable<ParsedApiToken['attributes']> {
  if (!isObject(raw)) throw new ModelError(PY, path, 'value is not a valid dict');
  const values: Record<string, Json> = { ...raw };
  if (typeof values.workspacePermissions === 'string') values.workspacePermissions = jsonLoads(PY, values.workspacePermissions, `${path}.workspacePermissions`);
  if (typeof values.personas === 'string') values.personas = jsonLoads(PY, values.personas, `${path}.personas`);
  let personas: ParsedPersona[];
  if (typeof values.personaQualifiedName === 'string') {
    // A JSON string of qualified names: each becomes ApiTokenPersona(persona_qualified_name=name).
    const names = jsonLoads(PY, values.personaQualifiedName, `${path}.personaQualifiedName`);
    if (!Array.isArray(names) && !(typeof names === 'string')) throw new ModelError(PY, `${path}.personaQualifiedName`, 'the decoded value is not iterable');
    const items = typeof names === 'string' ? [...names] : names;
    personas = items.map((name, i) => ({ guid: null, persona: null, personaQualifiedName: pydanticStr(PY, name, `${path}.personaQualifiedName[${i}]`) }));
  } else {
    personas = (pyList(values.personaQualifiedName, `${path}.personaQualifiedName`) ?? []).map((item, i) => pyPersona(item, `${path}.personaQualifiedName[${i}]`));
  }
  pyList(values.personas, `${path}.personas`);
  const permissions = (pyList(values.workspacePermissions, `${path}.workspacePermissions`) ?? []).map((p, i) => pydanticStr(PY, p, `${path}.workspacePermissions[${i}]`)!);
  return {
    accessTokenLifespan: pydanticInt(PY, values['access.token.lifespan'], `${path}.access.token.lifespan`),
    accessToken: pydanticStr(PY, values.accessToken, `${path}.accessToken`),
    clientId: pydanticStr(PY, values.clientId, `${path}.clientId`),
    createdAt: pydanticInt(PY, values.createdAt, `${path}.createdAt`),
    createdBy: pydanticStr(PY, values.createdBy, `${path}.createdBy`),
    description: pydanticStr(PY, values.description, `${path}.description`),
    displayName: pydanticStr(PY, values.displayName, `${path}.displayName`),
    personaQualifiedName: dedupe(personas),
    workspacePermissions: [...new Set(permissions)],
  };
}

/** A frozen pydantic model in a Set: equal field values are one element. */
function dedupe(personas: ParsedPersona[]): ParsedPersona[] {
  const seen = new Map<string, ParsedPersona>();
  for (const p of personas) seen.set(JSON.stringify(p), p);
  return [...seen.values()];
}

/** `ApiToken(**raw_json)`, with its `copy_values` pre root validator (attributes win for displayName and clientId). */
export function pyatlanApiToken(raw: Json, path = 'ApiToken'): ParsedApiToken {
  if (!isObject(raw)) throw new ModelError(PY, path, 'value is not a valid dict');
  const values: Record<string, Json> = { ...raw };
  if ('attributes' in values) {
    // `"displayName" in values["attributes"]`: a non-container attributes raises TypeError here.
    if (!isObject(values.attributes) && !Array.isArray(values.attributes) && typeof values.attributes !== 'string')
      throw new ModelError(PY, `${path}.attributes`, "argument of type 'NoneType' is not iterable");
    const attributes = values.attributes as Record<string, Json>;
    if (isObject(attributes)) {
      if (attributes.displayName) values.displayName = attributes.displayName;
      if (attributes.clientId) values.clientId = attributes.clientId;
    }
  }
  const attributes = values.attributes === undefined ? null : pyAttributes(values.attributes, `${path}.attributes`);
  const clientId = pydanticStr(PY, values.clientId, `${path}.clientId`);
  return {
    guid: pydanticStr(PY, values.id, `${path}.id`),
    clientId,
    displayName: pydanticStr(PY, values.displayName, `${path}.displayName`),
    username: clientId ? `service-account-${clientId}` : (attributes?.clientId ?? null),
    attributes,
  };
}

/** `ApiTokenResponse(**raw_json)`: `totalRecord`, `filterRecord`, `records`. */
export function pyatlanApiTokenResponse(raw: Json): { totalRecord: number | null; filterRecord: number | null; records: ParsedApiToken[] | null } {
  if (!isObject(raw)) throw new ModelError(PY, 'ApiTokenResponse', 'value is not a valid dict');
  const records = raw.records === undefined || raw.records === null ? null : pyList(raw.records, 'ApiTokenResponse.records')!.map((r, i) => pyatlanApiToken(r, `ApiTokenResponse.records[${i}]`));
  return {
    totalRecord: pydanticInt(PY, raw.totalRecord, 'ApiTokenResponse.totalRecord'),
    filterRecord: pydanticInt(PY, raw.filterRecord, 'ApiTokenResponse.filterRecord'),
    records,
  };
}

/** `UserMinimalResponse(**raw_json)`, what `UserClient.get_current()` returns. */
export function pyatlanUserMinimal(raw: Json) {
  const path = 'UserMinimalResponse';
  if (!isObject(raw)) throw new ModelError(PY, path, 'value is not a valid dict');
  if (raw.attributes !== undefined && raw.attributes !== null) {
    const attributes = checker(PY).object(raw.attributes, `${path}.attributes`);
    for (const field of ['designation', 'skills', 'slack', 'jira', 'invitedAt', 'invitedBy', 'invitedByName'])
      (pyList(attributes[field], `${path}.attributes.${field}`) ?? []).forEach((v, i) => pydanticStr(PY, v, `${path}.attributes.${field}[${i}]`));
  }
  return {
    username: pydanticStr(PY, raw.username, `${path}.username`),
    id: pydanticStr(PY, raw.id, `${path}.id`),
    email: pydanticStr(PY, raw.email, `${path}.email`),
    emailVerified: pydanticBool(PY, raw.emailVerified, `${path}.emailVerified`),
    enabled: pydanticBool(PY, raw.enabled, `${path}.enabled`),
    firstName: pydanticStr(PY, raw.firstName, `${path}.firstName`),
    lastName: pydanticStr(PY, raw.lastName, `${path}.lastName`),
    createdTimestamp: pydanticInt(PY, raw.createdTimestamp, `${path}.createdTimestamp`),
  };
}

/**
 * `RoleCache.is_api_token_user()`: `raw_json["roles"]` (a KeyError without it), each a mapping whose
 * `name` is checked against `$api-token-default-access` and `$admin`.
 */
export function pyatlanIsApiTokenUser(raw: Json): boolean {
  const c = checker(PY);
  const body = c.object(raw, 'whoami');
  if (!('roles' in body)) throw new ModelError(PY, 'whoami.roles', "KeyError: 'roles'");
  return c.list(body.roles, 'whoami.roles').some((role, i) => {
    const mapping = c.object(role, `whoami.roles[${i}]`);
    return mapping.name === '$api-token-default-access' || mapping.name === '$admin';
  });
}

// ---- atlan-java (Jackson) ---------------------------------------------------------------------------

const JAVA = 'atlan-java';

/** `JsonNode.asLong()`: a number, or text parsed as a long (0 when it is not one); null/absent stays null. */
function javaLong(value: Json | undefined): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'string') return /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return 0;
}

function javaText(value: Json | undefined): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : typeof value === 'object' ? '' : String(value);
}

/** `StringToSetDeserializer`: the text holds a JSON array of strings. */
function javaStringSet(text: string, path: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ModelError(JAVA, path, `JsonParseException on ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (!Array.isArray(parsed)) throw new ModelError(JAVA, path, 'MismatchedInputException: not a JSON array');
  return parsed.map((v) => String(v));
}

/** `ApiTokenAttributesDeserializer.deserialize`. */
function javaAttributes(root: Json, path: string): NonNullable<ParsedApiToken['attributes']> {
  if (!isObject(root)) throw new ModelError(JAVA, path, 'MismatchedInputException: expected an object');
  // `root.get("personaQualifiedName").isTextual()`: a NullPointerException when the field is absent.
  if (!('personaQualifiedName' in root)) throw new ModelError(JAVA, `${path}.personaQualifiedName`, 'NullPointerException (field absent)');
  if (!('workspacePermissions' in root)) throw new ModelError(JAVA, `${path}.workspacePermissions`, 'NullPointerException (field absent)');
  const personasJson = root.personaQualifiedName;
  let personas: ParsedPersona[] = [];
  if (typeof personasJson === 'string') {
    // Names from a string become ApiTokenPersona.of(null, name, null): the name lands in `persona`.
    personas = javaStringSet(personasJson, `${path}.personaQualifiedName`).map((name) => ({ guid: null, persona: name, personaQualifiedName: null }));
  } else if (Array.isArray(personasJson)) {
    personas = personasJson.map((item, i) => {
      if (!isObject(item)) throw new ModelError(JAVA, `${path}.personaQualifiedName[${i}]`, `MismatchedInputException: cannot construct ApiTokenPersona from ${JSON.stringify(item)}`);
      return { guid: javaText(item.id), persona: javaText(item.persona), personaQualifiedName: javaText(item.personaQualifiedName) };
    });
  }
  const permissionsJson = root.workspacePermissions;
  let permissions: string[] = [];
  if (typeof permissionsJson === 'string') permissions = javaStringSet(permissionsJson, `${path}.workspacePermissions`);
  else if (Array.isArray(permissionsJson))
    permissions = permissionsJson.map((p, i) => {
      if (typeof p === 'object' && p !== null) throw new ModelError(JAVA, `${path}.workspacePermissions[${i}]`, 'MismatchedInputException: expected a string');
      return String(p);
    });
  return {
    accessTokenLifespan: javaLong(root['access.token.lifespan']),
    accessToken: javaText(root.accessToken),
    clientId: javaText(root.clientId),
    createdAt: javaLong(root.createdAt),
    createdBy: javaText(root.createdBy),
    description: javaText(root.description),
    displayName: javaText(root.displayName),
    personaQualifiedName: dedupe(personas),
    workspacePermissions: [...new Set(permissions)].sort(),
  };
}

/** `ApiToken` (getters fall back to the attributes for clientId and displayName). */
export function atlanJavaApiToken(raw: Json, path = 'ApiToken'): ParsedApiToken {
  if (!isObject(raw)) throw new ModelError(JAVA, path, 'MismatchedInputException: expected an object');
  const attributes = raw.attributes === undefined || raw.attributes === null ? null : javaAttributes(raw.attributes, `${path}.attributes`);
  const clientId = javaText(raw.clientId) ?? attributes?.clientId ?? null;
  return {
    guid: javaText(raw.id),
    clientId,
    displayName: javaText(raw.displayName) ?? attributes?.displayName ?? null,
    username: `service-account-${clientId}`,
    attributes,
  };
}

export function atlanJavaApiTokenResponse(raw: Json) {
  if (!isObject(raw)) throw new ModelError(JAVA, 'ApiTokenResponse', 'MismatchedInputException: expected an object');
  const records = raw.records === undefined || raw.records === null ? null : checker(JAVA).list(raw.records, 'ApiTokenResponse.records').map((r, i) => atlanJavaApiToken(r, `ApiTokenResponse.records[${i}]`));
  return { totalRecord: javaLong(raw.totalRecord), filterRecord: javaLong(raw.filterRecord), records };
}

// ---- atlan-go (encoding/json) -----------------------------------------------------------------------

const GO = 'atlan-go';

/** Unmarshal into `*string`: a JSON string or null; anything else is an UnmarshalTypeError. */
function goString(value: Json | undefined, path: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ModelError(GO, path, `json: cannot unmarshal ${jsonKind(value)} into Go struct field of type string`);
  return value;
}

/** Unmarshal into `*int`: a JSON number without fraction or exponent. */
function goInt(value: Json | undefined, path: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ModelError(GO, path, `json: cannot unmarshal ${jsonKind(value)} into Go struct field of type int`);
  return value;
}

function jsonKind(value: Json): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** The custom `UnmarshalJSON` of a list-valued attribute: a string (wrapped as one element) or an array of strings. */
function goStringsOrString(value: Json | undefined, path: string): string[] {
  if (value === undefined) return [];
  if (value === null) return [''];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || v === null)) return value.map((v) => v ?? '');
  throw new ModelError(GO, path, `error unmarshaling: json: cannot unmarshal ${jsonKind(value)} into Go value of type []string`);
}

function goAttributes(raw: Json, path: string): NonNullable<ParsedApiToken['attributes']> {
  if (!isObject(raw)) throw new ModelError(GO, path, `error unmarshalling attributes: json: cannot unmarshal ${jsonKind(raw)}`);
  goStringsOrString(raw.personas, `${path}.personas`);
  const permissions = goStringsOrString(raw.workspacePermissions, `${path}.workspacePermissions`);
  let personas: ParsedPersona[] = [];
  const pqn = raw.personaQualifiedName;
  if (typeof pqn === 'string') personas = [{ guid: null, persona: null, personaQualifiedName: pqn }];
  else if (Array.isArray(pqn))
    personas = pqn.map((item, i) => {
      if (item === null) return { guid: null, persona: null, personaQualifiedName: null };
      if (!isObject(item)) throw new ModelError(GO, `${path}.personaQualifiedName[${i}]`, `error unmarshaling personaQualifiedName: json: cannot unmarshal ${jsonKind(item)} into Go value of type structs.ApiTokenPersona`);
      return {
        guid: goString(item.id, `${path}.personaQualifiedName[${i}].id`),
        persona: goString(item.persona, `${path}.personaQualifiedName[${i}].persona`),
        personaQualifiedName: goString(item.personaQualifiedName, `${path}.personaQualifiedName[${i}].personaQualifiedName`),
      };
    });
  else if (pqn !== undefined && pqn !== null) throw new ModelError(GO, `${path}.personaQualifiedName`, `error unmarshaling personaQualifiedName: ${jsonKind(pqn)}`);
  // `AccessTokenLifespan *string` and `CreatedAt *string`: a JSON number does not unmarshal into them.
  const lifespan = goString(raw['access.token.lifespan'], `${path}.access.token.lifespan`);
  const createdAt = goString(raw.createdAt, `${path}.createdAt`);
  return {
    accessTokenLifespan: lifespan === null ? null : Number(lifespan),
    accessToken: goString(raw.accessToken, `${path}.accessToken`),
    clientId: goString(raw.clientId, `${path}.clientId`),
    createdAt: createdAt === null ? null : Number(createdAt),
    createdBy: goString(raw.createdBy, `${path}.createdBy`),
    description: goString(raw.description, `${path}.description`),
    displayName: goString(raw.displayName, `${path}.displayName`),
    personaQualifiedName: personas,
    workspacePermissions: permissions,
  };
}

export function atlanGoApiToken(raw: Json, path = 'ApiToken'): ParsedApiToken {
  if (!isObject(raw)) throw new ModelError(GO, path, `json: cannot unmarshal ${jsonKind(raw)} into Go value of type structs.ApiToken`);
  const attributes = raw.attributes === undefined || raw.attributes === null ? null : goAttributes(raw.attributes, `${path}.attributes`);
  const clientId = goString(raw.clientId, `${path}.clientId`);
  return {
    guid: goString(raw.id, `${path}.id`),
    clientId,
    displayName: goString(raw.displayName, `${path}.displayName`),
    username: clientId ? `SERVICE_ACCOUNT_${clientId}` : attributes?.clientId ? `SERVICE_ACCOUNT_${attributes.clientId}` : '',
    attributes,
  };
}

/** `ApiTokenResponse.UnmarshalJSON`: `records` must be there (unmarshalling its absence fails). */
export function atlanGoApiTokenResponse(raw: Json) {
  if (!isObject(raw)) throw new ModelError(GO, 'ApiTokenResponse', 'json: cannot unmarshal into ApiTokenResponse');
  if (!Array.isArray(raw.records)) throw new ModelError(GO, 'ApiTokenResponse.records', 'error unmarshalling records: unexpected end of JSON input');
  return {
    totalRecord: goInt(raw.totalRecord, 'ApiTokenResponse.totalRecord'),
    filterRecord: goInt(raw.filterRecord, 'ApiTokenResponse.filterRecord'),
    records: raw.records.map((r, i) => atlanGoApiToken(r, `ApiTokenResponse.records[${i}]`)),
  };
}

/** The three SDKs' single-record and list parsers, for suites that check all of them. */
export const ATLAN_SDKS = [
  { sdk: 'pyatlan', record: pyatlanApiToken, list: pyatlanApiTokenResponse },
  { sdk: 'atlan-java', record: atlanJavaApiToken, list: atlanJavaApiTokenResponse },
  { sdk: 'atlan-go', record: atlanGoApiToken, list: atlanGoApiTokenResponse },
] as const;
