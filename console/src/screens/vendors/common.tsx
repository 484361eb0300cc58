import type { ReactNode } from 'react';

/** A section of a vendor's screen: title, intro, an optional primary action, the outcome of the last act. */
export function Panel({
  title,
  intro,
  actions,
  create,
  done,
  problem,
  children,
}: {
  title: string;
  intro?: ReactNode;
  actions?: ReactNode;
  create?: { label: string; onClick: () => void };
  done?: string | null;
  problem?: string | null;
  children: ReactNode;
}) {
  const id = `panel-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className="panel" aria-labelledby={id}>
      <div className="panel-head">
        <div>
          <h2 id={id}>{title}</h2>
          {intro ? <p className="muted">{intro}</p> : null}
        </div>
        {actions || create ? (
          <div className="actions">
            {actions}
            {create ? (
              <button type="button" className="primary" onClick={create.onClick}>
                {create.label}
              </button>
            ) : null}
          </div>
        ) : null}
      </div>
      <Done text={done ?? null} />
      <Problem text={problem ?? null} />
      {children}
    </section>
  );
}

export function Problem({ text }: { text: string | null }) {
  return text ? (
    <p className="error" role="alert">
      {text}
    </p>
  ) : null;
}

export function Done({ text }: { text: string | null }) {
  return text ? (
    <p className="notice" role="status">
      {text}
    </p>
  ) : null;
}
