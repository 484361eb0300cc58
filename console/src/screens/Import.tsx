import { useId, useState, type DragEvent } from 'react';
import { useClient } from 'urql';
import { errorMessage } from '../client';
import { ImportServiceAccountsDocument, type ImportServiceAccountsMutation } from '../generated/graphql';

type Result = ImportServiceAccountsMutation['importServiceAccounts'];

/** Splits CSV text into rows for display only (quoted fields, doubled quotes); keygate validates. */
function displayRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell), rows.push(row), (row = []), (cell = '');
    } else cell += c;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows;
}

const PASSWORD_COLUMN = 'password';

/**
 * Alation's CSV upload: drop or choose the file, Preview checks every row and writes nothing,
 * Confirm creates every row in one transaction or none.
 */
export function Import() {
  const client = useClient();
  const fileInput = useId();
  const [csv, setCsv] = useState<string | null>(null);
  const [reading, setReading] = useState<number | null>(null);
  const [busy, setBusy] = useState<'preview' | 'confirm' | null>(null);
  const [preview, setPreview] = useState<Result | null>(null);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [dragging, setDragging] = useState(false);

  const load = (file: File | undefined) => {
    if (!file) return;
    setPreview(null);
    setOutcome(null);
    const reader = new FileReader();
    reader.onprogress = (e) => e.lengthComputable && setReading(e.loaded / e.total);
    reader.onload = () => {
      setReading(null);
      setCsv(String(reader.result ?? ''));
    };
    reader.readAsText(file);
  };
  const send = async (confirm: boolean) => {
    if (csv === null) return;
    setBusy(confirm ? 'confirm' : 'preview');
    setOutcome(null);
    const result = await client.mutation(ImportServiceAccountsDocument, { csv, confirm }).toPromise();
    setBusy(null);
    const payload = result.data?.importServiceAccounts;
    if (!payload) return setOutcome({ ok: false, text: errorMessage(result.error) ?? 'The import failed.' });
    setPreview(payload);
    if (confirm && payload.confirmed) {
      setOutcome({ ok: true, text: `Created ${payload.serviceAccounts.length} account(s).` });
      setCsv(null);
    } else if (confirm) setOutcome({ ok: false, text: `Refused: nothing was created. Fix the ${payload.errors.length} problem(s) below and preview again.` });
    else setOutcome(payload.errors.length ? { ok: false, text: `${payload.errors.length} problem(s) found in ${payload.total} row(s).` } : { ok: true, text: `All ${payload.total} row(s) are valid. Confirm to create them.` });
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    load(event.dataTransfer.files[0]);
  };

  const rows = csv ? displayRows(csv) : [];
  const header = rows[0] ?? [];
  const passwordAt = header.indexOf(PASSWORD_COLUMN);
  const problems = new Map<number, { field: string | null; message: string }[]>();
  for (const error of preview?.errors ?? []) problems.set(error.line, [...(problems.get(error.line) ?? []), error]);

  return (
    <section aria-labelledby="import-heading">
      <div className="screen-head">
        <h1 id="import-heading">Import</h1>
        <p className="muted">
          Create Alation users (API service accounts) from a CSV file with the columns <code>user,display_name,email,title,role,password</code>. Roles are case-sensitive: SERVER_ADMIN,
          CATALOG_ADMIN, SOURCE_ADMIN, STEWARD, COMPOSER, VIEWER.{' '}
          <a href="/console/alation-users-template.csv" download>
            Download the CSV template
          </a>
        </p>
      </div>
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>Drag &amp; Drop a CSV file here, or</p>
        <label htmlFor={fileInput} className="file-label">
          CSV file
        </label>
        <input id={fileInput} type="file" accept=".csv,text/csv" onChange={(e) => load(e.target.files?.[0])} />
        {reading !== null ? <progress aria-label="Reading the file" value={reading} max={1} /> : null}
      </div>
      <div className="actions">
        <button type="button" onClick={() => send(false)} disabled={csv === null || busy !== null}>
          Preview
        </button>
        <button type="button" className="primary" onClick={() => send(true)} disabled={csv === null || preview === null || busy !== null}>
          Confirm
        </button>
        {busy ? <progress aria-label={busy === 'confirm' ? 'Creating the accounts' : 'Checking the rows'} /> : null}
      </div>
      {outcome ? (
        <p role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'notice' : 'error'}>
          {outcome.text}
        </p>
      ) : null}
      {preview && rows.length > 1 ? (
        <div className="table-wrap">
          <table>
            <caption>
              Preview: {preview.valid} of {preview.total} row(s) valid
            </caption>
            <thead>
              <tr>
                <th scope="col">Line</th>
                {header.map((name) => (
                  <th scope="col" key={name}>
                    {name}
                  </th>
                ))}
                <th scope="col">Problems</th>
              </tr>
            </thead>
            <tbody>
              {rows.slice(1, 501).map((cells, index) => {
                const line = index + 2;
                const found = problems.get(line) ?? [];
                return (
                  <tr key={line} className={found.length ? 'bad' : undefined}>
                    <th scope="row">{line}</th>
                    {header.map((_, i) => (
                      <td key={i}>{i === passwordAt && cells[i] ? '••••••' : cells[i]}</td>
                    ))}
                    <td>{found.length ? found.map((p, i) => <div key={i}>{p.field ? `${p.field}: ` : ''}{p.message}</div>) : <span className="ok">OK</span>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {rows.length > 501 ? <p className="muted">Showing the first 500 rows; problems are listed for every line.</p> : null}
          {[...problems.keys()].filter((line) => line > 501).length ? (
            <ul>
              {[...problems.entries()]
                .filter(([line]) => line > 501)
                .map(([line, list]) => (
                  <li key={line}>
                    Line {line}: {list.map((p) => p.message).join('; ')}
                  </li>
                ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
