import { Acts, badInput, hashPassword, type CoreServices, type NewPrincipal, type ProviderDescriptor, type RequestContext } from '../../core';
import type { PrincipalEntity } from '../../entities';
import type { ImportOptions, ImportResult, ImportRowError } from '../provider';
import { parseCsv } from './csv';
import { validateUserFields, type AlationUserFields } from './user-fields';

/** The seed's template header, in its order. */
export const CSV_COLUMNS = ['user', 'display_name', 'email', 'title', 'role', 'password'] as const;
const REQUIRED_COLUMNS = ['user', 'email', 'role'];
export const MAX_IMPORT_ROWS = 50_000;
/** Rows per `principals.create` call inside the one transaction (keeps every statement under PostgreSQL's bind-parameter limit). */
const WRITE_CHUNK = 2_000;


interface ValidRow {
  line: number;
  fields: AlationUserFields;
}

/**
 * The seed's upload-then-confirm: every row is validated and every problem reported (bad role,
 * duplicate user in the file or in keygate, bad email, missing field, weak password) without
 * writing anything; with `confirm` and no problem, all rows are created in one transaction.
 * Passwords are hashed in parallel before the transaction and never echoed.
 */
export async function importAlationUsers(
  core: CoreServices,
  plugin: ProviderDescriptor,
  ctx: RequestContext,
  csv: string,
  confirm: boolean,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const progress = options.onProgress ?? (() => undefined);
  const { records, error: unreadable } = parseCsv(csv);
  const [header, ...data] = records;
  const result = (errors: ImportRowError[], valid: number): ImportResult => ({
    confirmed: false,
    total: data.length,
    valid,
    errors: errors.sort((a, b) => a.line - b.line),
    created: [],
  });

  if (unreadable) return result([{ line: unreadable.line, field: null, message: unreadable.message }], 0);
  if (!header) return result([{ line: 1, field: null, message: `The file is empty. Expected the header ${CSV_COLUMNS.join(',')}.` }], 0);
  if (data.length > MAX_IMPORT_ROWS) throw badInput(`The file has ${data.length} rows; import at most ${MAX_IMPORT_ROWS} at a time.`, { field: 'csv' });

  const columns = header.fields.map((c) => c.trim().toLowerCase());
  const headerErrors: ImportRowError[] = [];
  for (const column of columns)
    if (!(CSV_COLUMNS as readonly string[]).includes(column))
      headerErrors.push({ line: 1, field: column || null, message: `Unknown column "${column.slice(0, 50)}". Expected: ${CSV_COLUMNS.join(',')}.` });
  for (const column of REQUIRED_COLUMNS)
    if (!columns.includes(column)) headerErrors.push({ line: 1, field: column, message: `Missing column "${column}". Expected: ${CSV_COLUMNS.join(',')}.` });
  if (new Set(columns).size !== columns.length) headerErrors.push({ line: 1, field: null, message: 'A column is named twice.' });
  if (headerErrors.length) return result(headerErrors, 0);

  const errors: ImportRowError[] = [];
  const valid: ValidRow[] = [];
  const firstLineOf = new Map<string, number>();
  data.forEach((record, index) => {
    if (index % 1000 === 0) progress('validate', index, data.length);
    if (record.fields.length !== columns.length) {
      errors.push({ line: record.line, field: null, message: `Expected ${columns.length} fields, found ${record.fields.length}.` });
      return;
    }
    // PostgreSQL text cannot hold NUL: refused here, per line, rather than failing the write.
    const withNul = record.fields.findIndex((value) => value.includes('\u0000'));
    if (withNul >= 0) {
      errors.push({ line: record.line, field: columns[withNul], message: `${columns[withNul]} contains a NUL character.` });
      return;
    }
    const cell = (name: string) => {
      const at = columns.indexOf(name);
      return at < 0 ? null : record.fields[at];
    };
    const { fields, problems } = validateUserFields({
      user: cell('user'),
      displayName: cell('display_name'),
      email: cell('email'),
      title: cell('title'),
      role: cell('role'),
      password: cell('password'),
    });
    for (const p of problems) errors.push({ line: record.line, field: p.field, message: p.message });
    const user = fields?.user ?? cell('user')?.trim();
    let duplicate = false;
    if (user) {
      const first = firstLineOf.get(user);
      if (first !== undefined) {
        errors.push({ line: record.line, field: 'user', message: `Duplicate user "${user}": already on line ${first}.` });
        duplicate = true;
      } else firstLineOf.set(user, record.line);
    }
    if (fields && !duplicate) valid.push({ line: record.line, fields });
  });

  const existing = await core.principals.takenNames(plugin.id, [...firstLineOf.keys()]);
  for (const name of existing) errors.push({ line: firstLineOf.get(name)!, field: 'user', message: `Duplicate user "${name}": a user with this name already exists.` });
  const writable = valid.filter((row) => !existing.has(row.fields.user));
  progress('validate', data.length, data.length);

  if (!confirm || errors.length) return result(errors, writable.length);

  let hashed = 0;
  const withPassword = writable.filter((r) => r.fields.password !== null).length;
  const passwordHashes = await Promise.all(
    writable.map(async ({ fields }) => {
      if (fields.password === null) return null;
      const hash = await hashPassword(fields.password);
      if (++hashed % 50 === 0 || hashed === withPassword) progress('hash', hashed, withPassword);
      return hash;
    }),
  );
  const inputs: NewPrincipal[] = writable.map(({ fields }, i) => ({ ...accountOf(fields), passwordHash: passwordHashes[i] }));

  const created = await core.change(ctx, { provider: plugin, action: Acts.importServiceAccounts }, async (scope) => {
    const saved: PrincipalEntity[] = [];
    for (let start = 0; start < inputs.length; start += WRITE_CHUNK) {
      const issued = await core.principals.create(scope, plugin, inputs.slice(start, start + WRITE_CHUNK));
      saved.push(...issued.map((i) => i.record));
      progress('write', saved.length, inputs.length);
    }
    scope.setTarget(`${saved.length} accounts`);
    scope.addDetail({ count: saved.length });
    return saved;
  });
  return { confirmed: true, total: data.length, valid: writable.length, errors: [], created };
}

/** The account core stores for validated fields (the password is left for the caller to hash or pass). */
export function accountOf(fields: AlationUserFields): NewPrincipal {
  return { kind: 'user', name: fields.user, displayName: fields.displayName, email: fields.email, title: fields.title, role: fields.role };
}
