import { useState, type FormEvent } from 'react';
import { useClient, useQuery } from 'urql';
import { errorMessage } from '../../client';
import { Dialog } from '../../components/Dialog';
import { when } from '../../components/format';
import { SecretReveal } from '../../components/SecretReveal';
import { CreateServiceAccountDocument, DeleteServiceAccountDocument, PersonasDocument, ServiceAccountsDocument, UpdateServiceAccountDocument } from '../../generated/graphql';
import { Done, Panel, Problem } from './common';
import { Table } from '../../components/Table';
import { useShowOnceDialog } from '../../components/useShowOnceDialog';

/** Atlan's documented "never expires". */
const NEVER_EXPIRES_SECONDS = 409968000;
const DAY_SECONDS = 86400;

function PersonaChoices({ legend, personas, chosen, onChange, describedBy }: { legend: string; personas: { qualifiedName: string; name: string }[]; chosen: string[]; onChange: (next: string[]) => void; describedBy?: string }) {
  return (
    <fieldset className="choices wide" aria-describedby={describedBy}>
      <legend>{legend}</legend>
      {personas.length === 0 ? <p className="muted">No personas exist yet.</p> : null}
      {personas.map((p) => (
        <label key={p.qualifiedName} className="check">
          <input type="checkbox" checked={chosen.includes(p.qualifiedName)} onChange={(e) => onChange(e.target.checked ? [...chosen, p.qualifiedName] : chosen.filter((q) => q !== p.qualifiedName))} />
          {p.name} <code className="small">{p.qualifiedName}</code>
        </label>
      ))}
    </fieldset>
  );
}

export function AtlanPanel() {
  const client = useClient();
  const [{ data }, refetch] = useQuery({ query: ServiceAccountsDocument, variables: { provider: 'ATLAN', kind: 'API_TOKEN', first: 200 }, requestPolicy: 'network-only' });
  const [{ data: personaData }] = useQuery({ query: PersonasDocument });
  const personas = (personaData?.personas.nodes ?? []).filter((p) => p.provider === 'ATLAN');
  const { open, secret, problem, done, setProblem, setDone, openForm, reveal, close, dialog } = useShowOnceDialog();
  const [form, setForm] = useState({ displayName: '', description: '', days: '90', never: false });
  const [chosen, setChosen] = useState<string[]>([]);
  const [editing, setEditing] = useState<{ id: string; name: string; set: string[] } | null>(null);
  const reload = () => refetch({ requestPolicy: 'network-only' });

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    const validitySeconds = form.never ? NEVER_EXPIRES_SECONDS : Math.round(Number(form.days) * DAY_SECONDS);
    const result = await client
      .mutation(CreateServiceAccountDocument, { input: { provider: 'ATLAN', displayName: form.displayName, description: form.description, personaQualifiedNames: chosen, validitySeconds } })
      .toPromise();
    const created = result.data?.createServiceAccount;
    if (!created?.secret) return setProblem(errorMessage(result.error));
    reveal({ value: created.secret, title: `API token ${created.serviceAccount.name} (client ID ${created.serviceAccount.clientId})` });
    setForm({ displayName: '', description: '', days: '90', never: false });
    setChosen([]);
    reload();
  };
  const savePersonas = async (event: FormEvent) => {
    event.preventDefault();
    if (!editing) return;
    const result = await client.mutation(UpdateServiceAccountDocument, { id: editing.id, input: { personaQualifiedNames: editing.set } }).toPromise();
    if (result.error) return setProblem(errorMessage(result.error));
    setDone(`${editing.name} now has ${editing.set.length} persona(s).`);
    setEditing(null);
    reload();
  };
  const remove = async (id: string, name: string) => {
    const result = await client.mutation(DeleteServiceAccountDocument, { id }).toPromise();
    if (result.error) return setProblem(errorMessage(result.error));
    setDone(`Deleted ${name}; it stopped authenticating at once.`);
    reload();
  };
  const tokens = data?.serviceAccounts.nodes ?? [];
  return (
    <>
      <Panel
        title="API tokens"
        intro="API tokens are actors of their own, not personal access tokens: they carry only the personas and grants given to them."
        create={{ label: 'Create service account', onClick: openForm }}
        done={done}
        problem={open || editing ? null : problem}
      >
        <Table caption="Atlan API tokens" columns={['Display name', 'Description', 'Personas', 'Client ID', 'Created', 'Expires', 'Actions']} empty={tokens.length === 0 ? 'No API tokens yet.' : null}>
          {tokens.map((t) => (
            <tr key={t.id}>
              <th scope="row">{t.displayName ?? t.name}</th>
              <td>{t.description || <span className="muted">—</span>}</td>
              <td>{t.personas.length ? t.personas.map((p) => p.name).join(', ') : <span className="muted">none</span>}</td>
              <td>
                <code className="small">{t.clientId}</code>
              </td>
              <td>{when(t.createdAt)}</td>
              <td>{when(t.accessTokens[0]?.expiresAt, 'Never')}</td>
              <td><div className="row-actions">
                <button type="button" onClick={() => setEditing({ id: t.id, name: t.displayName ?? t.name, set: t.personas.map((p) => p.qualifiedName) })}>
                  Edit personas
                </button>
                <button type="button" className="danger" onClick={() => remove(t.id, t.displayName ?? t.name)}>
                  Delete
                </button>
              </div></td>
            </tr>
          ))}
        </Table>
      </Panel>
      <Grants tokens={tokens.map((t) => ({ clientId: t.clientId ?? '', name: t.displayName ?? t.name }))} />
      <Dialog title="Create API token" {...dialog}>
        {secret ? (
          <SecretReveal secret={secret} onStored={close} />
        ) : (
          <form onSubmit={create} className="grid-form">
            <Problem text={problem} />
            <label>
              Display name
              <input value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} required />
            </label>
            <label>
              Description
              <input value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
            </label>
            <PersonaChoices legend="Personas" personas={personas} chosen={chosen} onChange={setChosen} />
            <label>
              Validity (days)
              <input type="number" min={1} max={1825} value={form.days} disabled={form.never} onChange={(e) => setForm({ ...form, days: e.target.value })} />
            </label>
            <label className="check">
              <input type="checkbox" checked={form.never} onChange={(e) => setForm({ ...form, never: e.target.checked })} />
              Never expires
            </label>
            <div className="actions wide">
              <button type="submit" className="primary">
                Create API token
              </button>
            </div>
          </form>
        )}
      </Dialog>
      <Dialog title={`Personas of ${editing?.name ?? ''}`} open={editing !== null} onClose={() => setEditing(null)}>
        {editing ? (
          <form onSubmit={savePersonas} className="grid-form">
            <Problem text={problem} />
            <p id="persona-set-hint" className="hint wide">
              What you save is the complete set: personas you leave unchecked are unlinked from the token, and saving none unlinks them all.
            </p>
            <PersonaChoices legend="Linked personas" personas={personas} chosen={editing.set} onChange={(set) => setEditing({ ...editing, set })} describedBy="persona-set-hint" />
            <div className="actions wide">
              <button type="submit" className="primary">
                Save personas
              </button>
            </div>
          </form>
        ) : null}
      </Dialog>
    </>
  );
}

const LEVELS = [
  { value: 'connections/admins', label: 'Connection admin' },
  { value: 'collections/editors', label: 'Collection editor' },
  { value: 'collections/viewers', label: 'Collection viewer' },
];

/** Connection admin and collection editor/viewer grants: only a user's own bearer token can give them. */
function Grants({ tokens }: { tokens: { clientId: string; name: string }[] }) {
  const [level, setLevel] = useState(LEVELS[0].value);
  const [guid, setGuid] = useState('');
  const [clientId, setClientId] = useState('');
  const [impersonation, setImpersonation] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const grant = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    setDone(null);
    const response = await fetch(`/api/atlan/${level.split('/')[0]}/${encodeURIComponent(guid)}/${level.split('/')[1]}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${impersonation}` },
      body: JSON.stringify({ clientId }),
    });
    // The user's bearer token served this one request; the console keeps it nowhere.
    setImpersonation('');
    const body = await response.json().catch(() => null);
    if (!response.ok) return setProblem(body?.errorMessage ?? body?.message ?? body?.error ?? `Refused (${response.status}).`);
    setDone(`${tokens.find((t) => t.clientId === clientId)?.name ?? clientId} is now ${LEVELS.find((l) => l.value === level)?.label.toLowerCase()} of ${body?.attributes?.name ?? guid}.`);
  };
  return (
    <Panel
      title="Connection and collection grants"
      intro={
        <>
          An API token cannot make itself a connection admin or a collection editor: that would bypass the connection's security. A user who already holds that authority does it with the
          user's own bearer token, used once here as the impersonation token. The API token, not the user, receives the grant. A token that creates a connection is its admin already.
        </>
      }
    >
      <Done text={done} />
      <Problem text={problem} />
      <form onSubmit={grant} className="grid-form">
        <label>
          Grant
          <select value={level} onChange={(e) => setLevel(e.target.value)}>
            {LEVELS.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Connection or collection GUID
          <input value={guid} onChange={(e) => setGuid(e.target.value)} required />
        </label>
        <label>
          API token
          <select value={clientId} onChange={(e) => setClientId(e.target.value)} required>
            <option value="">Choose an API token</option>
            {tokens.map((t) => (
              <option key={t.clientId} value={t.clientId}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Your bearer token (impersonation token)
          <input type="password" value={impersonation} onChange={(e) => setImpersonation(e.target.value)} required autoComplete="off" />
        </label>
        <div className="actions wide">
          <button type="submit">Add the grant</button>
        </div>
      </form>
    </Panel>
  );
}
