import { createContext, useContext } from 'react';
import type { EventFeed } from './feed';
import type { ViewerQuery } from './generated/graphql';

export type ViewerInfo = ViewerQuery['viewer'];

/** What the signed-in viewer may see; the server decides, this only hides what would be refused. */
export function abilities(viewer: ViewerInfo) {
  const admin =
    viewer.isOperator ||
    (viewer.provider === 'ALATION' && viewer.role === 'SERVER_ADMIN') ||
    (viewer.provider === 'ATLAN' && viewer.role === '$admin') ||
    (viewer.provider === 'TALEND' && (viewer.permissions.includes('TMC_SERVICE_ACCOUNT_MANAGEMENT') || viewer.permissions.includes('TMC_USER_MANAGEMENT')));
  return {
    admin,
    audit: viewer.isOperator || (viewer.provider === 'TALEND' && viewer.permissions.includes('AUDIT_LOGS_VIEW')),
    importUsers: viewer.isOperator || (viewer.provider === 'ALATION' && viewer.role === 'SERVER_ADMIN'),
    providers: viewer.isOperator ? ['ALATION', 'ATLAN', 'TALEND'] : viewer.provider ? [viewer.provider] : [],
  };
}

export interface Session {
  viewer: ViewerInfo;
  feed: EventFeed;
  /** Ids of the viewer's own tokens revoked since the viewer last looked. */
  revokedOwn: string[];
  acknowledgeRevoked(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('No session');
  return session;
}
