/**
 * How a show-once secret travels: the stored record plus the plain value, created once by
 * core/secrets and handed to exactly one response. Nothing persists `secret`.
 */
export interface Issued<T> {
  readonly record: T;
  readonly secret: string | null;
}
