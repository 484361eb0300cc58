import { providerName, when } from '../components/format';
import { useFeed } from '../feed';
import { useSession } from '../viewer';

const STATE_TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting: missed events will be replayed', stopped: 'Stopped' } as const;

/** Every kind reads as words; a kind this console does not know yet still shows, as its name. */
function kindText(kind: string): string {
  return kind.charAt(0) + kind.slice(1).toLowerCase().replace(/_/g, ' ');
}

export function Events() {
  const { feed, viewer } = useSession();
  const { events, state, reconnects } = useFeed(feed);
  return (
    <section aria-labelledby="events-heading">
      <div className="screen-head">
        <h1 id="events-heading">Events</h1>
        <p className="muted">Token and service-account changes you may see, live: revocations, expiries, warnings, persona and permission changes.</p>
      </div>
      <p className={`feed-state feed-${state}`} role="status">
        <span className="dot" aria-hidden="true" /> {STATE_TEXT[state]}
        {reconnects ? <span className="muted"> · resumed {reconnects === 1 ? 'once' : `${reconnects} times`} from the last event received</span> : null}
      </p>
      <div className="table-wrap">
        <table aria-live="polite">
          <caption className="sr-only">Live events, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Subject</th>
              <th scope="col">Provider</th>
              <th scope="col">Account</th>
              <th scope="col">By</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr key={event.cursor} className={event.serviceAccountId === viewer.serviceAccount?.id ? 'own' : undefined}>
                <td>{when(event.at)}</td>
                <td>
                  <span className={`kind kind-${event.kind.toLowerCase()}`}>{kindText(event.kind)}</span>
                </td>
                <td>
                  {kindText(event.subjectType)} <code className="small">{event.subjectId.slice(0, 8)}</code>
                </td>
                <td>{providerName[event.provider] ?? event.provider}</td>
                <td>
                  <code className="small">{event.serviceAccountId.slice(0, 8)}</code>
                  {event.serviceAccountId === viewer.serviceAccount?.id ? <span className="muted"> (you)</span> : null}
                </td>
                <td className="small">{event.actor}</td>
              </tr>
            ))}
            {events.length === 0 ? (
              <tr>
                <td colSpan={6} className="empty">
                  Nothing yet: events appear here as they happen.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
