import { useState, type FormEvent } from 'react';
import { useClient, useQuery } from 'urql';
import { errorMessage } from '../../client';
import { Dialog } from '../../components/Dialog';
import { when } from '../../components/format';
import { SecretReveal, type Revealed } from '../../components/SecretReveal';
import { Status } from '../../components/Status';
import {
  CatalogDocument,
  CreateAccessTokenDocument,
  CreateServiceAccountDocument,
  DeleteServiceAccountDocument,
  MyAccountDocument,
  RevokeTokenDocument,
  ServiceAccountsDocument,
} from '../../generated/graphql';
import { useSession } from '../../viewer';
import { Done, Panel, Problem } from './common';
import { Table } from '../../components/Table';
import { useShowOnceDialog } from '../../components/useShowOnceDialog';

/** The pair a service-account token request sends: `Authorization: Basic base64(id:secret)`. */
function basicCredentials(id: string, secret: string): string {
  return btoa(`${id}:${secret}`);
}

const MAX_PERSONAL_TOKENS = 5;

export function TalendPanel() {
  const { viewer } = useSession();
  const manages = viewer.isOperator || viewer.permissions.includes('TMC_SERVICE_ACCOUNT_MANAGEMENT');
  return (
    <>
      {manages ? <TalendServiceAccounts /> : null}
      {viewer.provider === 'TALEND' && viewer.kind === 'user' ? <PersonalTokens /> : null}
      {!manages && !(viewer.provider === 'TALEND' && viewer.kind === 'user') ? <p className="muted">Managing service accounts needs the Service Account - Manage permission.</p> : null}
    </>
  );
}

function TalendServiceAccounts() {
  const client = useClient();
  const [{ data }, refetch] = useQuery({ query: ServiceAccountsDocument, variables: { provider: 'TALEND', kind: 'SERVICE_ACCOUNT', first: 200 }, requestPolicy: 'network-only' });
  const [{ data: catalog }] = useQuery({ query: CatalogDocument, variables: { provider: 'TALEND' } });
  const { open, secret, problem, done, setProblem, setDone, openForm, reveal, close, dialog } = useShowOnceDialog<Revealed & { id: string }>();
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    const result = await client.mutation(CreateServiceAccountDocument, { input: { provider: 'TALEND', name, permissions: chosen } }).toPromise();
    const created = result.data?.createServiceAccount;
    if (!created?.secret || !created.serviceAccount.clientId) return setProblem(errorMessage(result.error));
    const id = created.serviceAccount.clientId;
    reveal({
      id,
      value: created.secret,
      title: `Service account ${created.serviceAccount.name}`,
      extras: [{ label: 'base64 id:secret', value: basicCredentials(id, created.secret) }],
    });
    setName('');
    setChosen([]);
    reload();
  };
  const remove = async (id: string, accountName: string) => {
    const result = await client.mutation(DeleteServiceAccountDocument, { id }).toPromise();
    if (result.error) return setProblem(errorMessage(result.error));
    setDone(`Deleted ${accountName}: its id and secret, and every token exchanged for them, stopped working.`);
    reload();
  };
  const accounts = data?.serviceAccounts.nodes ?? [];
  return (
    <Panel
      title="Talend service accounts"
      intro="A service account's ID and secret never expire and cannot be changed: to change them, delete the account and create a new one. Its tokens live 30 minutes."
      create={{ label: 'Create service account', onClick: openForm }}
      done={done}
      problem={open ? null : problem}
    >
      <Table caption="Talend service accounts" columns={['Name', 'ID', 'Permissions', 'Created', 'Last used', 'Actions']} empty={accounts.length === 0 ? 'No service accounts yet.' : null}>
        {accounts.map((a) => (
          <tr key={a.id}>
            <th scope="row">{a.name}</th>
            <td>
              <code className="small">{a.clientId}</code>
            </td>
            <td>{a.permissions.map((p) => p.name).join(', ') || <span className="muted">none</span>}</td>
            <td>{when(a.createdAt)}</td>
            <td>{when(a.lastUsedAt, 'Never')}</td>
            <td><div className="row-actions">
              <button type="button" className="danger" onClick={() => remove(a.id, a.name)}>
                Delete
              </button>
            </div></td>
          </tr>
        ))}
      </Table>
      <Dialog title="Create a service account" {...dialog}>
        {secret ? (
          <div className="stack">
            <p>
              ID: <code>{secret.id}</code>
            </p>
            <SecretReveal secret={secret} onStored={close} />
          </div>
        ) : (
          <form onSubmit={create} className="grid-form">
            <Problem text={problem} />
            <label className="wide">
              Name
              <input value={name} onChange={(e) => setName(e.target.value)} required placeholder="myServiceAccount" />
            </label>
            <fieldset className="choices wide">
              <legend>Permissions</legend>
              {(catalog?.permissions ?? []).map((p) => (
                <label key={p.id} className="check">
                  <input type="checkbox" checked={chosen.includes(p.id)} onChange={(e) => setChosen(e.target.checked ? [...chosen, p.id] : chosen.filter((c) => c !== p.id))} />
                  {p.name} <code className="small">{p.id}</code>
                </label>
              ))}
            </fieldset>
            <div className="actions wide">
              <button type="submit" className="primary">
                Create account
              </button>
            </div>
          </form>
        )}
      </Dialog>
    </Panel>
  );
}

/** Profile preferences › Personal access tokens: at most five active, each shown once. */
function PersonalTokens() {
  const client = useClient();
  const [{ data }, refetch] = useQuery({ query: MyAccountDocument, requestPolicy: 'network-only' });
  const { secret, problem, setProblem, reveal, close, dialog } = useShowOnceDialog();
  const [name, setName] = useState('');
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const account = data?.viewer.serviceAccount;
  const tokens = (account?.accessTokens ?? []).filter((t) => t.kind === 'personal');
  const active = tokens.filter((t) => t.status === 'ACTIVE').length;
  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (!account) return;
    setProblem(null);
    const result = await client.mutation(CreateAccessTokenDocument, { input: { serviceAccountId: account.id, name } }).toPromise();
    const created = result.data?.createAccessToken;
    if (!created) return setProblem(errorMessage(result.error));
    reveal({ value: created.secret, title: `Personal access token ${name}` });
    setName('');
    reload();
  };
  const revoke = async (id: string) => {
    const result = await client.mutation(RevokeTokenDocument, { id }).toPromise();
    setProblem(errorMessage(result.error));
    reload();
  };
  return (
    <Panel title="Personal access tokens" intro={`They carry your current permissions. ${active} of at most ${MAX_PERSONAL_TOKENS} active.`}>
      <Problem text={problem} />
      <form onSubmit={create} className="inline-form">
        <label>
          Token name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={255} />
        </label>
        <button type="submit" className="primary">
          Generate personal access token
        </button>
      </form>
      <Dialog title="Personal access token" {...dialog}>
        {secret ? <SecretReveal secret={secret} onStored={close} /> : null}
      </Dialog>
      <Table caption="Your personal access tokens" columns={['Name', 'Created', 'Last used', 'Status', 'Actions']}>
        {[...tokens].reverse().map((t) => (
          <tr key={t.id}>
            <th scope="row">{t.name ?? '—'}</th>
            <td>{when(t.createdAt)}</td>
            <td>{when(t.lastUsedAt, 'Never')}</td>
            <td>
              <Status value={t.status} />
            </td>
            <td><div className="row-actions">
              {t.status === 'ACTIVE' ? (
                <button type="button" className="danger" onClick={() => revoke(t.id)}>
                  Revoke
                </button>
              ) : null}
            </div></td>
          </tr>
        ))}
      </Table>
    </Panel>
  );
}
