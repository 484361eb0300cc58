import { useState, type FormEvent } from 'react';
import { useClient, useQuery } from 'urql';
import { errorMessage } from '../../client';
import { Dialog } from '../../components/Dialog';
import { when } from '../../components/format';
import { SecretReveal } from '../../components/SecretReveal';
import { Status } from '../../components/Status';
import { AccessTokenDialog, RefreshTokenDialog } from '../../components/TokenDialogs';
import { useShowOnceDialog } from '../../components/useShowOnceDialog';
import {
  CreateOAuthClientDocument,
  CreateServiceAccountDocument,
  MyAccountDocument,
  RegenerateOAuthClientSecretDocument,
  RevokeOAuthClientTokensDocument,
  RevokeAllTokensDocument,
  RevokeTokenDocument,
  RotateSigningKeyDocument,
  ServiceAccountsDocument,
} from '../../generated/graphql';
import { abilities, useSession } from '../../viewer';
import { useLiveRefetch } from '../Tokens';
import { Done, Panel, Problem } from './common';
import { Table } from '../../components/Table';

/** Case-sensitive, exactly as Alation spells them. */
const ROLES = ['SERVER_ADMIN', 'CATALOG_ADMIN', 'SOURCE_ADMIN', 'STEWARD', 'COMPOSER', 'VIEWER'];

export function AlationPanel() {
  const { viewer } = useSession();
  const admin = abilities(viewer).admin;
  return (
    <>
      {viewer.provider === 'ALATION' ? <MyTokens /> : null}
      {admin ? <Users /> : null}
      {admin ? <OAuthClients /> : null}
    </>
  );
}

/** Account Settings › Authentication: the user's own refresh tokens and their API access tokens. */
function MyTokens() {
  const client = useClient();
  const [{ data }, refetch] = useQuery({ query: MyAccountDocument, requestPolicy: 'network-only' });
  const [creating, setCreating] = useState(false);
  const [mint, setMint] = useState<{ token: { id: string; name: string }; regenerate: boolean } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  useLiveRefetch(reload);
  const tokens = data?.viewer.serviceAccount?.refreshTokens ?? [];
  const revoke = async (id: string) => {
    const result = await client.mutation(RevokeTokenDocument, { id }).toPromise();
    setProblem(errorMessage(result.error));
    reload();
  };
  return (
    <Panel
      title="Your API tokens"
      intro="Refresh tokens (60 days) create API access tokens (24 hours), which go in the TOKEN header of Alation API calls."
      create={{ label: 'Create Refresh Token', onClick: () => setCreating(true) }}
      problem={problem}
    >
      <Table caption="Your refresh tokens" columns={['Token name', 'Creation date', 'Token status', 'Expiration time', 'API Access Token Status', 'Last used', 'Actions']} empty={tokens.length === 0 ? 'No refresh tokens yet.' : null}>
        {[...tokens].reverse().map((token) => (
          <tr key={token.id}>
            <th scope="row">{token.name}</th>
            <td>{when(token.createdAt)}</td>
            <td>
              <Status value={token.status} />
            </td>
            <td>{when(token.expiresAt, 'Never')}</td>
            <td>
              <Status value={token.accessToken?.status} />
            </td>
            <td>{when(token.lastUsedAt, 'Never')}</td>
            <td><div className="row-actions">
              {token.status === 'ACTIVE' ? (
                <>
                  <button type="button" onClick={() => setMint({ token, regenerate: Boolean(token.accessToken) })}>
                    {token.accessToken ? 'Regenerate API Token' : 'Create API Token'}
                  </button>
                  <button type="button" className="danger" onClick={() => revoke(token.id)}>
                    Revoke
                  </button>
                </>
              ) : null}
            </div></td>
          </tr>
        ))}
      </Table>
      <RefreshTokenDialog
        open={creating}
        onClose={() => {
          setCreating(false);
          reload();
        }}
      />
      <AccessTokenDialog
        refreshToken={mint?.token ?? null}
        regenerate={mint?.regenerate ?? false}
        onClose={() => {
          setMint(null);
          reload();
        }}
      />
    </Panel>
  );
}

function Users() {
  const client = useClient();
  const [{ data }, refetch] = useQuery({ query: ServiceAccountsDocument, variables: { provider: 'ALATION', kind: 'USER', first: 200 }, requestPolicy: 'network-only' });
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ user: '', displayName: '', email: '', title: '', role: 'VIEWER', password: '' });
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    const result = await client
      .mutation(CreateServiceAccountDocument, {
        input: { provider: 'ALATION', user: form.user, displayName: form.displayName || null, email: form.email || null, title: form.title || null, role: form.role, password: form.password || null },
      })
      .toPromise();
    if (!result.data) return setProblem(errorMessage(result.error));
    setDone(`Created user ${result.data.createServiceAccount.serviceAccount.name} (user_id ${result.data.createServiceAccount.serviceAccount.userId}).`);
    setForm({ user: '', displayName: '', email: '', title: '', role: 'VIEWER', password: '' });
    setOpen(false);
    reload();
  };
  const revokeAll = async (id: string, name: string) => {
    const result = await client.mutation(RevokeAllTokensDocument, { id }).toPromise();
    if (result.error) return setProblem(errorMessage(result.error));
    setDone(`Revoked ${result.data?.revokeAllTokens.revokedIds.length ?? 0} token(s) of ${name}.`);
  };
  const set = (name: keyof typeof form) => ({ value: form[name], onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }) });
  const users = data?.serviceAccounts.nodes ?? [];
  return (
    <Panel
      title="Users"
      intro="Alation users, people and API service accounts. Only a Server Admin creates users and revokes other users' tokens."
      create={{ label: 'Create service account', onClick: () => setOpen(true) }}
      done={done}
      problem={open ? null : problem}
    >
      <Table caption="Alation users" columns={['User', 'Display name', 'Email', 'Title', 'Role', 'user_id', 'Created', 'Actions']}>
        {users.map((u) => (
          <tr key={u.id}>
            <th scope="row">{u.name}</th>
            <td>{u.displayName ?? '—'}</td>
            <td>{u.email ?? '—'}</td>
            <td>{u.title ?? '—'}</td>
            <td>
              <code>{u.role}</code>
            </td>
            <td>{u.userId}</td>
            <td>{when(u.createdAt)}</td>
            <td><div className="row-actions">
              <button type="button" onClick={() => revokeAll(u.id, u.name)}>
                Revoke API Tokens
              </button>
            </div></td>
          </tr>
        ))}
      </Table>
      <Dialog title="Create an API service account" open={open} onClose={() => setOpen(false)}>
        <form onSubmit={create} className="grid-form">
          <Problem text={problem} />
          <label>
            User
            <input {...set('user')} required placeholder="api-service@example.com" />
          </label>
          <label>
            Display name
            <input {...set('displayName')} />
          </label>
          <label>
            Email
            <input type="email" {...set('email')} />
          </label>
          <label>
            Title
            <input {...set('title')} />
          </label>
          <label>
            Role
            <select {...set('role')}>
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <label>
            Password
            <input type="password" {...set('password')} autoComplete="new-password" aria-describedby="password-hint" />
          </label>
          <p id="password-hint" className="hint wide">
            Leave empty for an SSO user: SSO users create refresh tokens while signed in, never with a password.
          </p>
          <div className="actions wide">
            <button type="submit" className="primary">
              Create user
            </button>
          </div>
        </form>
      </Dialog>
    </Panel>
  );
}

function OAuthClients() {
  const client = useClient();
  const [{ data }, refetch] = useQuery({ query: ServiceAccountsDocument, variables: { provider: 'ALATION', kind: 'OAUTH_CLIENT', first: 200 }, requestPolicy: 'network-only' });
  const { open, secret, problem, done, setProblem, setDone, openForm, reveal, close, dialog } = useShowOnceDialog();
  const [form, setForm] = useState({ name: '', minutes: '60', role: 'VIEWER' });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    const result = await client.mutation(CreateOAuthClientDocument, { input: { name: form.name, accessTokenLifetimeSeconds: Math.round(Number(form.minutes) * 60), role: form.role } }).toPromise();
    const created = result.data?.createOAuthClient;
    if (!created) return setProblem(errorMessage(result.error));
    reveal({ value: created.clientSecret, title: `Client secret of ${created.client.name} (client ID ${created.client.clientId})` });
    reload();
  };
  const regenerate = async (clientId: string) => {
    const result = await client.mutation(RegenerateOAuthClientSecretDocument, { clientId }).toPromise();
    const created = result.data?.regenerateOAuthClientSecret;
    if (!created) return setProblem(errorMessage(result.error));
    reveal({ value: created.clientSecret, title: `New client secret (client ID ${created.client.clientId}); the old one no longer works` });
  };
  const revokeTokens = async (clientId: string) => {
    const result = await client.mutation(RevokeOAuthClientTokensDocument, { clientId }).toPromise();
    if (result.error) return setProblem(errorMessage(result.error));
    setDone(`Revoked ${result.data?.revokeOAuthClientTokens.revokedIds.length ?? 0} token(s).`);
  };
  const rotate = async () => {
    const result = await client.mutation(RotateSigningKeyDocument, {}).toPromise();
    if (result.error) return setProblem(errorMessage(result.error));
    setDone(`New tokens are signed with key ${result.data?.rotateSigningKey.kid}; ${result.data?.rotateSigningKey.publishedKids.length} key(s) published for verification.`);
  };
  const clients = data?.serviceAccounts.nodes ?? [];
  return (
    <Panel
      title="OAuth client applications"
      intro="Machine-to-machine clients: client credentials grant, JWT access tokens of 5 minutes to 72 hours, verifiable offline."
      actions={
        <>
          <button type="button" onClick={rotate}>
            Rotate signing key
          </button>
          <button type="button" className="primary" onClick={openForm}>
            Create OAuth client
          </button>
        </>
      }
    >
      <Done text={done} />
      <Problem text={open ? null : problem} />
      <Table caption="OAuth client applications" columns={['Name', 'Client ID', 'Role', 'Created', 'Actions']} empty={clients.length === 0 ? 'No OAuth clients yet.' : null}>
        {clients.map((c) => (
          <tr key={c.id}>
            <th scope="row">{c.displayName ?? c.name}</th>
            <td>
              <code className="small">{c.clientId}</code>
            </td>
            <td>
              <code>{c.role}</code>
            </td>
            <td>{when(c.createdAt)}</td>
            <td><div className="row-actions">
              <button type="button" onClick={() => c.clientId && regenerate(c.clientId)}>
                Regenerate secret
              </button>
              <button type="button" onClick={() => c.clientId && revokeTokens(c.clientId)}>
                Revoke tokens
              </button>
            </div></td>
          </tr>
        ))}
      </Table>
      <Dialog title="OAuth client application" {...dialog}>
        {secret ? (
          <SecretReveal secret={secret} onStored={close} />
        ) : (
          <form onSubmit={create} className="grid-form">
            <Problem text={problem} />
            <label>
              Name
              <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
            </label>
            <label>
              Token duration (minutes, 5 to 4320)
              <input type="number" min={5} max={4320} value={form.minutes} onChange={(e) => setForm({ ...form, minutes: e.target.value })} required />
            </label>
            <label>
              System user role
              <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
                {ROLES.map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
            </label>
            <div className="actions wide">
              <button type="submit" className="primary">
                Create client
              </button>
            </div>
          </form>
        )}
      </Dialog>
    </Panel>
  );
}
