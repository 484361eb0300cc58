import { useState, type FormEvent } from 'react';
import { rest } from '../client';

/**
 * Any credential keygate issues signs in (operator token, Alation API access token, Atlan API or
 * bearer token, Talend personal access token or service-account token). An Alation user with a
 * password may sign in with it: the console makes a refresh token and an API access token for the
 * session through Alation's own routes and keeps only the access token, in this tab.
 */
export function SignIn({ onSignIn, notice }: { onSignIn: (credential: string) => void; notice: string | null }) {
  const [token, setToken] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const withToken = (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) return setError('Paste a token to sign in.');
    setToken('');
    onSignIn(value);
  };

  const withPassword = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const refresh = await rest('/integration/v1/createRefreshToken/', { username, password, name: 'keygate console' });
      if (refresh.status !== 201) throw new Error(refresh.body?.detail ?? 'Sign in failed.');
      const access = await rest('/integration/v1/createAPIAccessToken/', { refresh_token: refresh.body.refresh_token, user_id: refresh.body.user_id });
      if (access.status !== 201) throw new Error(access.body?.detail ?? 'Sign in failed.');
      setPassword('');
      onSignIn(access.body.api_access_token);
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin" id="main">
      <div className="signin-card">
        <h1>
          <span className="brand-mark" aria-hidden="true">
            ⬡
          </span>{' '}
          keygate console
        </h1>
        <p className="muted">Machine identities of Alation, Atlan and Talend, in one place.</p>
        {notice ? (
          <p className="notice" role="alert">
            {notice}
          </p>
        ) : null}
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <form onSubmit={withToken} className="stack">
          <label>
            Token
            <input type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" spellCheck={false} />
          </label>
          <p className="hint">Any credential keygate issues: an operator token, an API access token, an API token, a personal access token.</p>
          <button type="submit" className="primary">
            Sign in
          </button>
        </form>
        <details>
          <summary>Alation user with a password</summary>
          <form onSubmit={withPassword} className="stack">
            <label>
              User name
              <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" />
            </label>
            <label>
              Password
              <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" />
            </label>
            <button type="submit" disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in with password'}
            </button>
          </form>
        </details>
      </div>
    </main>
  );
}
