import { providerName, when } from '../components/format';
import { useFeed } from '../feed';
import { useSession } from '../viewer';
import { Table } from '../components/Table';

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
      <Table caption="Live events, newest first" columns={['When', 'Event', 'Subject', 'Provider', 'Account', 'By']} empty={events.length === 0 ? 'Nothing yet: events appear here as they happen.' : null} live>
        {events.map((event) => (
          <tr key={event.cursor} className={event.serviceAccountId === viewer.serviceAccount?.id ? 'own' : undefined}>
            <td className="nowrap">{when(event.at)}</td>
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
      </Table>
    </section>
  );
}
