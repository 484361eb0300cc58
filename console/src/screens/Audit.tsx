import { useEffect, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { errorMessage } from '../client';
import { when } from '../components/format';
import { Pager, useCursorPages } from '../components/Pager';
import { AuditEventsDocument, type AuditFilter } from '../generated/graphql';
import { useSession } from '../viewer';

const PAGE = 25;

export function Audit() {
  const { viewer } = useSession();
  const [draft, setDraft] = useState({ since: '', until: '', actor: '', action: '', outcome: '', provider: '' });
  const [applied, setApplied] = useState(draft);
  const pages = useCursorPages();
  const filter = useMemo<AuditFilter>(
    () => ({
      since: applied.since ? new Date(applied.since).toISOString() : null,
      until: applied.until ? new Date(applied.until).toISOString() : null,
      actor: applied.actor || null,
      action: applied.action || null,
      outcome: applied.outcome || null,
      provider: applied.provider || null,
    }),
    [applied],
  );
  const { reset } = pages;
  useEffect(() => reset(), [filter, reset]);
  const [result] = useQuery({ query: AuditEventsDocument, variables: { filter, first: PAGE, after: pages.after }, requestPolicy: 'network-only' });
  const page = result.data?.auditEvents;
  const field = (name: keyof typeof draft) => ({ value: draft[name], onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value }) });
  return (
    <section aria-labelledby="audit-heading">
      <div className="screen-head">
        <h1 id="audit-heading">Audit</h1>
        <p className="muted">Every security-relevant action: who, what, on what, how it ended, when and from where. Never a secret.</p>
      </div>
      <form
        className="filters"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(draft);
        }}
      >
        <label>
          Since
          <input type="datetime-local" {...field('since')} />
        </label>
        <label>
          Until
          <input type="datetime-local" {...field('until')} />
        </label>
        <label>
          Actor
          <input {...field('actor')} placeholder="operator, alation:<id>" />
        </label>
        <label>
          Action
          <input {...field('action')} placeholder="token.revoke or token.*" />
        </label>
        <label>
          Outcome
          <select {...field('outcome')}>
            <option value="">Any outcome</option>
            <option value="success">Success</option>
            <option value="denied">Denied</option>
            <option value="failed">Failed</option>
          </select>
        </label>
        {viewer.isOperator ? (
          <label>
            Provider
            <select {...field('provider')}>
              <option value="">All providers</option>
              <option value="alation">Alation</option>
              <option value="atlan">Atlan</option>
              <option value="talend">Talend</option>
              <option value="keygate">keygate (operator)</option>
            </select>
          </label>
        ) : null}
        <button type="submit">Apply filters</button>
      </form>
      {result.error ? (
        <p className="error" role="alert">
          {errorMessage(result.error)}
        </p>
      ) : null}
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Audit log, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Outcome</th>
              <th scope="col">Provider</th>
              <th scope="col">Origin</th>
            </tr>
          </thead>
          <tbody>
            {page?.nodes.map((row) => (
              <tr key={row.id}>
                <td>{when(row.at)}</td>
                <td className="small">{row.actor}</td>
                <td>
                  <code>{row.action}</code>
                </td>
                <td className="small">{row.target ?? '—'}</td>
                <td>
                  <span className={`outcome outcome-${row.outcome}`}>{row.outcome}</span>
                </td>
                <td>{row.provider ?? '—'}</td>
                <td className="small">{row.origin}</td>
              </tr>
            ))}
            {page && page.nodes.length === 0 ? (
              <tr>
                <td colSpan={7} className="empty">
                  No rows match.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {page ? <Pager label="Audit" page={pages.page} hasNext={page.pageInfo.hasNextPage} total={page.totalCount} onPrevious={pages.previous} onNext={() => pages.next(page.pageInfo.endCursor)} /> : null}
    </section>
  );
}
