import { isEmail } from 'class-validator';

/**
 * The one e-mail rule, for GraphQL inputs (`@IsEmail(EMAIL_RULE)`) and CSV rows alike: validator.js
 * with a top-level domain, no display name ("Jane <j@x>") and no IP-literal domain.
 */
export const EMAIL_RULE = { allow_display_name: false, require_tld: true, allow_ip_domain: false } as const;

export function isEmailAddress(value: string): boolean {
  return value.length <= 320 && isEmail(value, { ...EMAIL_RULE });
}
