/**
 * Small building blocks for porting an SDK's response models: each check throws a
 * `ModelError` where the SDK's own parser (pydantic, a dataclass, Jackson, encoding/json) would
 * raise, with the path of the offending field.
 */
export class ModelError extends Error {
  constructor(
    readonly sdk: string,
    readonly path: string,
    message: string,
  ) {
    super(`${sdk} rejects ${path}: ${message}`);
    this.name = 'ModelError';
  }
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const isObject = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A checker bound to one SDK's name, for its error messages. */
export function checker(sdk: string) {
  const fail = (path: string, message: string): never => {
    throw new ModelError(sdk, path, message);
  };
  return {
    fail,
    object(value: unknown, path: string): Record<string, Json> {
      return isObject(value) ? value : fail(path, `expected an object, got ${JSON.stringify(value)}`);
    },
    list(value: unknown, path: string): Json[] {
      return Array.isArray(value) ? value : fail(path, `expected a list, got ${JSON.stringify(value)}`);
    },
    string(value: unknown, path: string): string {
      return typeof value === 'string' ? value : fail(path, `expected a string, got ${JSON.stringify(value)}`);
    },
  };
}

/** pydantic v1's `Optional[str]`: str, or a number (converted with str()); None stays None. */
export function pydanticStr(sdk: string, value: unknown, path: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new ModelError(sdk, path, `str type expected, got ${JSON.stringify(value)}`);
}

/** pydantic v1's `Optional[int]`: an int, a float (truncated), a bool, or a string of an integer. */
export function pydanticInt(sdk: string, value: unknown, path: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return Number(value);
  throw new ModelError(sdk, path, `value is not a valid integer: ${JSON.stringify(value)}`);
}

/** pydantic v1's `Optional[bool]`. */
export function pydanticBool(sdk: string, value: unknown, path: string): boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  if (typeof value === 'string' && /^(true|false|yes|no|on|off|1|0|t|f|y|n)$/i.test(value)) return /^(true|yes|on|1|t|y)$/i.test(value);
  throw new ModelError(sdk, path, `value could not be parsed to a boolean: ${JSON.stringify(value)}`);
}

/** Python's `json.loads`, failing as the SDK would. */
export function jsonLoads(sdk: string, text: string, path: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new ModelError(sdk, path, `json.loads failed on ${JSON.stringify(text.slice(0, 80))}`);
  }
}

/** Python's `datetime.strptime` with the patterns Allie SDK tries; null where none matches. */
export function allieTimestamp(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{1,6})(Z|[+-]\d{2}:?\d{2})$/.exec(value);
  if (!match) return null;
  const iso = `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}.${match[7].padEnd(3, '0').slice(0, 3)}${match[8] === 'Z' ? 'Z' : match[8]}`;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}
