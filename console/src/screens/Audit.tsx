import { useEffect, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { errorMessage } from '../client';
import { when } from '../components/format';
import { Pager, useCursorPages } from '../components/Pager';
import { AuditEventsDocument, type AuditFilter } from '../generated/graphql';
import { useSession } from '../viewer';
import { Table } from '../components/Table';

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
      <Table caption="Audit log, newest first" columns={['When', 'Actor', 'Action', 'Target', 'Outcome', 'Provider', 'Origin']} empty={page && page.nodes.length === 0 ? 'No rows match.' : null}>
        {page?.nodes.map((row) => (
          <tr key={row.id}>
            <td className="nowrap">{when(row.at)}</td>
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
      </Table>
      {page ? <Pager label="Audit" page={pages.page} hasNext={page.pageInfo.hasNextPage} total={page.totalCount} onPrevious={pages.previous} onNext={() => pages.next(page.pageInfo.endCursor)} /> : null}
    </section>
  );
}
