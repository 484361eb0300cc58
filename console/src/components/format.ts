const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export function when(value: string | null | undefined, none = '—'): string {
  return value ? dateTime.format(new Date(value)) : none;
}

export const providerName: Record<string, string> = { ALATION: 'Alation', ATLAN: 'Atlan', TALEND: 'Talend' };

/** What each vendor calls a token of a given kind. */
export function tokenType(typename: string, kind?: string | null): string {
  if (typename === 'RefreshToken') return 'Refresh token';
  switch (kind) {
    case 'access':
      return 'API access token';
    case 'api_token':
      return 'API token';
    case 'bearer':
      return 'User bearer token';
    case 'personal':
      return 'Personal access token';
    case 'exchanged':
      return 'Service-account token';
    case 'jwt':
      return 'OAuth access token (JWT)';
    default:
      return 'Access token';
  }
}

export const DAY_MS = 24 * 3600 * 1000;
