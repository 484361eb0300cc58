import { isEmailAddress } from '../../core';
import { ALATION_ROLES } from './alation.policy';

/** An Alation user as the CSV template and `createServiceAccount` describe it. */
export interface AlationUserFields {
  user: string;
  displayName: string | null;
  email: string;
  title: string | null;
  role: string;
  /** Empty for an SSO user (no password). */
  password: string | null;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** What a spreadsheet would run as a formula when the value is opened there (CSV injection). */
const FORMULA_START = /^[=+\-@]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const COMMON_PASSWORDS = new Set(['password', 'passwordhere', 'password1', 'password123', 'changeme', 'welcome1', 'qwerty123', 'letmein1', 'administrator']);

export const PASSWORD_RULE =
  'use at least 8 characters with at least three of: lower case, upper case, digits, symbols; not a common password and not containing the user name';

export function roleProblem(role: string): string | null {
  if ((ALATION_ROLES as readonly string[]).includes(role)) return null;
  const hint = ALATION_ROLES.find((r) => r.toLowerCase() === role.toLowerCase());
  return (
    `Unknown role "${role}". Allowed roles (case-sensitive): ${ALATION_ROLES.join(', ')}.` + (hint ? ` Did you mean "${hint}"?` : '')
  );
}

/** Why a password is weak, without ever repeating it; null when it is acceptable. */
export function passwordProblem(password: string, user: string): string | null {
  if (password.length > 1024) return 'Password is longer than 1024 characters.';
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  const local = user.split('@')[0].toLowerCase();
  const weak =
    password.length < 8 ||
    classes < 3 ||
    COMMON_PASSWORDS.has(password.toLowerCase()) ||
    (local.length >= 3 && password.toLowerCase().includes(local));
  return weak ? `Password is too weak: ${PASSWORD_RULE}.` : null;
}

function formulaMessage(field: string): string {
  return `${field} must not start with =, +, - or @ (a spreadsheet would run it as a formula).`;
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = String(value).trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * One validation for both faces (CSV rows and GraphQL input): the normalized fields, or every
 * problem found. Required: user, email, role; display name and title are optional; no password
 * makes an SSO user. Messages never contain the password.
 */
export function validateUserFields(raw: Record<string, unknown>): { fields: AlationUserFields | null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const user = text(raw.user);
  const displayName = text(raw.displayName);
  const email = text(raw.email);
  const title = text(raw.title);
  const role = text(raw.role);
  // Passwords are taken as given (spaces count), but an empty one means SSO.
  const password = raw.password === null || raw.password === undefined || raw.password === '' ? null : String(raw.password);

  if (!user) problems.push({ field: 'user', message: 'Missing field: user.' });
  else if (user.length > 255 || CONTROL.test(user)) problems.push({ field: 'user', message: 'user must be 1 to 255 printable characters.' });
  else if (FORMULA_START.test(user)) problems.push({ field: 'user', message: formulaMessage('user') });
  if (displayName && displayName.length > 255) problems.push({ field: 'display_name', message: 'display_name is longer than 255 characters.' });
  if (title && title.length > 255) problems.push({ field: 'title', message: 'title is longer than 255 characters.' });
  if (!email) problems.push({ field: 'email', message: 'Missing field: email.' });
  else if (FORMULA_START.test(email)) problems.push({ field: 'email', message: formulaMessage('email') });
  else if (!isEmailAddress(email)) problems.push({ field: 'email', message: `Invalid email address "${email.slice(0, 100)}".` });
  if (!role) problems.push({ field: 'role', message: `Missing field: role. Allowed roles (case-sensitive): ${ALATION_ROLES.join(', ')}.` });
  else {
    const problem = roleProblem(role);
    if (problem) problems.push({ field: 'role', message: problem });
  }
  if (password !== null && user) {
    const problem = passwordProblem(password, user);
    if (problem) problems.push({ field: 'password', message: problem });
  }
  if (problems.length) return { fields: null, problems };
  return { fields: { user: user!, displayName, email: email!, title, role: role!, password }, problems };
}
