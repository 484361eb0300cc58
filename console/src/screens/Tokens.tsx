import { useEffect, useMemo, useState } from 'react';
import { useClient, useQuery } from 'urql';
import { errorMessage } from '../client';
import { DAY_MS, providerName, tokenType, when } from '../components/format';
import { Pager, useCursorPages } from '../components/Pager';
import { Status } from '../components/Status';
import { AccessTokenDialog } from '../components/TokenDialogs';
import { RevokeTokenDocument, TokensDocument, TokenSummaryDocument, type TokenFilter, type TokensQuery } from '../generated/graphql';
import { abilities, useSession } from '../viewer';
import { Table } from '../components/Table';

type Row = TokensQuery['tokens']['nodes'][number];
const PAGE = 20;

/** Refetches whenever the feed says something changed (debounced). */
export function useLiveRefetch(refetch: () => void) {
  const { feed } = useSession();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = feed.onEvent(() => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(refetch, 100);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [feed, refetch]);
}

export function Tokens() {
  const { viewer, revokedOwn, acknowledgeRevoked } = useSession();
  const can = abilities(viewer);
  const client = useClient();
  const [provider, setProvider] = useState('');
  const [status, setStatus] = useState('');
  const [expiringDays, setExpiringDays] = useState('');
  const [unusedDays, setUnusedDays] = useState('');
  const [neverUsed, setNeverUsed] = useState(false);
  const pages = useCursorPages();
  const [message, setMessage] = useState<string | null>(null);
  const [mint, setMint] = useState<{ token: { id: string; name: string | null }; regenerate: boolean } | null>(null);

  const filter = useMemo<TokenFilter>(() => {
    const now = Date.now();
    return {
      provider: (provider || null) as TokenFilter['provider'],
      status: (status || null) as TokenFilter['status'],
      expiresBefore: expiringDays ? new Date(now + Number(expiringDays) * DAY_MS).toISOString() : null,
      lastUsedBefore: unusedDays ? new Date(now - Number(unusedDays) * DAY_MS).toISOString() : null,
      neverUsed: neverUsed ? true : null,
    };
  }, [provider, status, expiringDays, unusedDays, neverUsed]);
  const { reset } = pages;
  useEffect(() => reset(), [filter, reset]);

  const [tokens, refetchTokens] = useQuery({ query: TokensDocument, variables: { filter, first: PAGE, after: pages.after } });
  const [summary, refetchSummary] = useQuery({ query: TokenSummaryDocument, variables: { provider: (provider || null) as TokenFilter['provider'] } });
  const refetch = useMemo(
    () => () => {
      refetchTokens({ requestPolicy: 'network-only' });
      refetchSummary({ requestPolicy: 'network-only' });
    },
    [refetchTokens, refetchSummary],
  );
  useLiveRefetch(refetch);

  const revoke = async (row: Row) => {
    setMessage(null);
    const result = await client.mutation(RevokeTokenDocument, { id: row.id }).toPromise();
    if (result.error) setMessage(errorMessage(result.error));
    else setMessage(`Revoked ${row.name ?? tokenType(row.__typename, 'kind' in row ? row.kind : null)}: ${result.data?.revokeToken.revokedIds.length ?? 0} token(s) ended.`);
    refetch();
  };

  const counts = summary.data?.tokenSummary;
  const page = tokens.data?.tokens;
  const ownId = viewer.serviceAccount?.id;
  return (
    <section aria-labelledby="tokens-heading">
      <div className="screen-head">
        <h1 id="tokens-heading">Tokens</h1>
        <p className="muted">Every refresh and access token you may see{can.providers.length > 1 ? ', across providers' : ''}. Values are never shown again after creation.</p>
      </div>
      {revokedOwn.length ? (
        <div className="banner" role="alert">
          <span>
            {revokedOwn.length === 1 ? 'One of your tokens was' : `${revokedOwn.length} of your tokens were`} revoked.
          </span>
          <button type="button" onClick={acknowledgeRevoked}>
            Dismiss
          </button>
        </div>
      ) : null}
      <ul className="cards" aria-label="Token counts">
        {(
          [
            ['Active', counts?.active, 'active'],
            ['Expiring within 7 days', counts?.expiringSoon, 'expiring'],
            ['Never used', counts?.neverUsed, 'unused'],
            ['Expired', counts?.expired, 'expired'],
            ['Revoked', counts?.revoked, 'revoked'],
          ] as const
        ).map(([label, value, tone]) => (
          <li key={label} className={`card card-${tone}`}>
            <span className="card-value">{value ?? '…'}</span>
            <span className="card-label">{label}</span>
          </li>
        ))}
      </ul>
      <form className="filters" aria-label="Filter tokens" onSubmit={(e) => e.preventDefault()}>
        {can.providers.length > 1 ? (
          <label>
            Provider
            <select value={provider} onChange={(e) => setProvider(e.target.value)}>
              <option value="">All providers</option>
              {can.providers.map((p) => (
                <option key={p} value={p}>
                  {providerName[p]}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Any status</option>
            <option value="ACTIVE">Active</option>
            <option value="EXPIRED">Expired</option>
            <option value="REVOKED">Revoked</option>
          </select>
        </label>
        <label>
          Expiring within (days)
          <input type="number" min={1} max={3650} inputMode="numeric" value={expiringDays} onChange={(e) => setExpiringDays(e.target.value)} />
        </label>
        <label>
          Unused for (days)
          <input type="number" min={1} max={3650} inputMode="numeric" value={unusedDays} onChange={(e) => setUnusedDays(e.target.value)} />
        </label>
        <label className="check">
          <input type="checkbox" checked={neverUsed} onChange={(e) => setNeverUsed(e.target.checked)} />
          Never used
        </label>
      </form>
      {message ? (
        <p role="status" className="notice">
          {message}
        </p>
      ) : null}
      {tokens.error ? (
        <p className="error" role="alert">
          {errorMessage(tokens.error)}
        </p>
      ) : null}
      <Table caption="Tokens, newest first" columns={['Name', 'Type', 'Owner', 'Created', 'Status', 'Expires', 'API access token', 'Last used', 'Actions']} empty={page && page.nodes.length === 0 ? 'No tokens match.' : null}>
        {page?.nodes.map((row) => {
          const kind = row.__typename === 'AccessToken' ? row.kind : null;
          const mayMint = row.__typename === 'RefreshToken' && row.status === 'ACTIVE' && (viewer.isOperator || row.owner.id === ownId);
          return (
            <tr key={row.id}>
              <th scope="row">{row.name ?? <span className="muted">{tokenType(row.__typename, kind)}</span>}</th>
              <td>
                {tokenType(row.__typename, kind)}
                <span className="muted small"> · {providerName[row.provider]}</span>
              </td>
              <td>{row.owner.name}</td>
              <td>{when(row.createdAt)}</td>
              <td>
                <Status value={row.status} />
              </td>
              <td>{when(row.expiresAt, 'Never')}</td>
              <td>{row.__typename === 'RefreshToken' ? <Status value={row.accessToken?.status} /> : <span className="muted">—</span>}</td>
              <td>{when(row.lastUsedAt, 'Never')}</td>
              <td><div className="row-actions">
                {mayMint && row.__typename === 'RefreshToken' ? (
                  <button type="button" onClick={() => setMint({ token: row, regenerate: Boolean(row.accessToken) })}>
                    {row.accessToken ? 'Regenerate API Token' : 'Create API Token'}
                  </button>
                ) : null}
                {row.status === 'ACTIVE' ? (
                  <button type="button" className="danger" onClick={() => revoke(row)}>
                    Revoke
                  </button>
                ) : null}
              </div></td>
            </tr>
          );
        })}
      </Table>
      {page ? <Pager label="Tokens" page={pages.page} hasNext={page.pageInfo.hasNextPage} total={page.totalCount} onPrevious={pages.previous} onNext={() => pages.next(page.pageInfo.endCursor)} /> : null}
      <AccessTokenDialog
        refreshToken={mint?.token ?? null}
        regenerate={mint?.regenerate ?? false}
        onClose={() => {
          setMint(null);
          refetch();
        }}
      />
    </section>
  );
}
