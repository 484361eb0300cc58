import { useRef, useState, type KeyboardEvent } from 'react';
import { providerName } from '../components/format';
import { abilities, useSession } from '../viewer';
import { AlationPanel } from './vendors/Alation';
import { AtlanPanel } from './vendors/Atlan';
import { TalendPanel } from './vendors/Talend';

/** One tab per provider the viewer belongs to (the operator sees all three), in each vendor's words. */
export function ServiceAccounts() {
  const { viewer } = useSession();
  const providers = abilities(viewer).providers;
  const [current, setCurrent] = useState(providers[0] ?? 'ALATION');
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (event: KeyboardEvent, index: number) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = (index + step + providers.length) % providers.length;
    setCurrent(providers[next]);
    tabs.current[next]?.focus();
  };
  return (
    <section aria-labelledby="sa-heading">
      <div className="screen-head">
        <h1 id="sa-heading">Service accounts</h1>
        <p className="muted">Each provider's machine identities, with that vendor's own fields.</p>
      </div>
      {providers.length > 1 ? (
        <div role="tablist" aria-label="Provider" className="tabs">
          {providers.map((p, i) => (
            <button
              key={p}
              ref={(el) => {
                tabs.current[i] = el;
              }}
              role="tab"
              id={`tab-${p}`}
              aria-selected={current === p}
              aria-controls={`panel-${p}`}
              tabIndex={current === p ? 0 : -1}
              onClick={() => setCurrent(p)}
              onKeyDown={(e) => onKey(e, i)}
            >
              {providerName[p]}
            </button>
          ))}
        </div>
      ) : null}
      <div role={providers.length > 1 ? 'tabpanel' : undefined} id={`panel-${current}`} aria-labelledby={providers.length > 1 ? `tab-${current}` : undefined}>
        {current === 'ALATION' ? <AlationPanel /> : null}
        {current === 'ATLAN' ? <AtlanPanel /> : null}
        {current === 'TALEND' ? <TalendPanel /> : null}
      </div>
    </section>
  );
}
