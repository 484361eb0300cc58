import { useCallback, useEffect, useMemo, useState } from 'react';
import { Provider as UrqlProvider, useQuery } from 'urql';
import { connect, CREDENTIAL_CLOSE_CODES, type Connection } from './client';
import { EventFeed } from './feed';
import { ViewerDocument } from './generated/graphql';
import { Audit } from './screens/Audit';
import { Events } from './screens/Events';
import { Import } from './screens/Import';
import { ServiceAccounts } from './screens/ServiceAccounts';
import { SignIn } from './screens/SignIn';
import { Tokens } from './screens/Tokens';
import { session as stored } from './session';
import { abilities, SessionContext, type Session, type ViewerInfo } from './viewer';

const SCREENS = [
  { path: 'tokens', label: 'Tokens' },
  { path: 'service-accounts', label: 'Service accounts' },
  { path: 'import', label: 'Import' },
  { path: 'events', label: 'Events' },
  { path: 'audit', label: 'Audit' },
] as const;
type ScreenPath = (typeof SCREENS)[number]['path'];

function currentScreen(): ScreenPath {
  const path = location.pathname.replace(/^\/console\/?/, '').split('/')[0];
  return (SCREENS.find((s) => s.path === path)?.path ?? 'tokens') as ScreenPath;
}

export function App() {
  const [credential, setCredential] = useState<string | null>(() => stored.load());
  const [notice, setNotice] = useState<string | null>(null);
  const signIn = (value: string) => {
    stored.save(value);
    setNotice(null);
    setCredential(value);
  };
  const signOut = useCallback((why?: string) => {
    stored.forget();
    setCredential(null);
    setNotice(why ?? null);
  }, []);
  if (!credential) return <SignIn onSignIn={signIn} notice={notice} />;
  return <Signed credential={credential} onSignOut={signOut} />;
}

function Signed({ credential, onSignOut }: { credential: string; onSignOut: (why?: string) => void }) {
  const [feedRef] = useState<{ feed?: EventFeed }>({});
  const connection = useMemo<Connection>(
    () =>
      connect(credential, {
        connected: () => feedRef.feed?.connected(),
        closed: (code) => {
          if (CREDENTIAL_CLOSE_CODES.has(code)) onSignOut('Your credential was revoked or has expired. Sign in again.');
          else feedRef.feed?.connectionLost(false);
        },
      }),
    [credential, feedRef, onSignOut],
  );
  useEffect(() => () => connection.close(), [connection]);
  return (
    <UrqlProvider value={connection.urql}>
      <Shell connection={connection} feedRef={feedRef} onSignOut={onSignOut} />
    </UrqlProvider>
  );
}

function Shell({ connection, feedRef, onSignOut }: { connection: Connection; feedRef: { feed?: EventFeed }; onSignOut: (why?: string) => void }) {
  const [{ data, error, fetching }] = useQuery({ query: ViewerDocument, requestPolicy: 'network-only' });
  const viewer = data?.viewer;
  useEffect(() => {
    if (error?.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') || error?.response?.status === 401)
      onSignOut('That credential is not valid (unknown, expired or revoked).');
  }, [error, onSignOut]);
  if (!viewer) {
    return (
      <main className="center">
        <p role="status">{fetching ? 'Signing in…' : error ? `Could not sign in: ${error.message}` : ''}</p>
        {error && !fetching ? (
          <button type="button" onClick={() => onSignOut()}>
            Back to sign in
          </button>
        ) : null}
      </main>
    );
  }
  return <Console connection={connection} feedRef={feedRef} viewer={viewer} onSignOut={onSignOut} />;
}

function Console({ connection, feedRef, viewer, onSignOut }: { connection: Connection; feedRef: { feed?: EventFeed }; viewer: ViewerInfo; onSignOut: (why?: string) => void }) {
  const [screen, setScreen] = useState<ScreenPath>(currentScreen);
  const [revokedOwn, setRevokedOwn] = useState<string[]>([]);
  const feed = useMemo(() => new EventFeed(connection.urql), [connection]);
  const can = abilities(viewer);
  useEffect(() => {
    feedRef.feed = feed;
    feed.start();
    const ownId = viewer.serviceAccount?.id;
    const off = feed.onEvent((event) => {
      if (event.kind === 'REVOKED' && ownId && event.serviceAccountId === ownId && event.subjectType !== 'SERVICE_ACCOUNT')
        setRevokedOwn((ids) => (ids.includes(event.subjectId) ? ids : [...ids, event.subjectId]));
    });
    return () => {
      off();
      feed.stop();
    };
  }, [feed, feedRef, viewer.serviceAccount?.id]);
  useEffect(() => {
    const onPop = () => setScreen(currentScreen());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const visible = SCREENS.filter((s) => (s.path === 'audit' ? can.audit : s.path === 'import' ? can.importUsers : true));
  const go = (path: ScreenPath) => {
    history.pushState(null, '', `/console/${path}`);
    setScreen(path);
  };
  const active = visible.some((s) => s.path === screen) ? screen : 'tokens';
  const session: Session = { viewer, feed, revokedOwn, acknowledgeRevoked: () => setRevokedOwn([]) };
  useEffect(() => {
    document.title = `${SCREENS.find((s) => s.path === active)?.label} · keygate console`;
  }, [active]);
  return (
    <SessionContext.Provider value={session}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand" aria-hidden="true">
          <span className="brand-mark">⬡</span> keygate
        </span>
        <nav aria-label="Console">
          <ul>
            {visible.map((s) => (
              <li key={s.path}>
                <a
                  href={`/console/${s.path}`}
                  aria-current={active === s.path ? 'page' : undefined}
                  onClick={(event) => {
                    event.preventDefault();
                    go(s.path);
                  }}
                >
                  {s.label}
                </a>
                {s.path === 'tokens' && revokedOwn.length ? (
                  <span className="badge" role="status">
                    {revokedOwn.length} revoked
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            {viewer.isOperator ? 'Gateway operator' : `${viewer.name}`}
            {viewer.provider ? <span className="muted"> · {viewer.provider.toLowerCase()}{viewer.role ? ` ${viewer.role}` : ''}</span> : null}
          </span>
          <a className="ghost-link" href="/graphql">
            GraphiQL
          </a>
          <button type="button" onClick={() => onSignOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {active === 'tokens' ? <Tokens /> : null}
        {active === 'service-accounts' ? <ServiceAccounts /> : null}
        {active === 'import' ? <Import /> : null}
        {active === 'events' ? <Events /> : null}
        {active === 'audit' ? <Audit /> : null}
      </main>
    </SessionContext.Provider>
  );
}
