import { useId, useState } from 'react';

export interface Revealed {
  /** The plain secret, shown here once. */
  value: string;
  /** Extra copyable values derived from it (Talend's base64 id:secret). */
  extras?: { label: string; value: string }[];
  /** What the secret is, in the vendor's words ("Token Secret Key"). */
  title?: string;
}

/**
 * A show-once secret: in a read-only field labelled `Secret`, with `Copy` and `I have stored it`.
 * After `I have stored it` the value is dropped from the page's state; nothing can show it again.
 */
export function SecretReveal({ secret, onStored }: { secret: Revealed; onStored: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const warning = useId();
  const copy = async (label: string, value: string) => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(label);
    } catch {
      setCopied(null);
    }
  };
  return (
    <div className="secret" role="group" aria-label={secret.title ?? 'Shown once'} aria-describedby={warning}>
      {secret.title ? <p className="secret-title">{secret.title}</p> : null}
      <p id={warning} className="warning">
        This is the only time it is shown. When you go on, there is no way to reveal it again: copy it and store it securely.
      </p>
      <div className="secret-row">
        <input aria-label="Secret" readOnly value={secret.value} spellCheck={false} autoComplete="off" onFocus={(e) => e.currentTarget.select()} />
        <button type="button" onClick={() => copy('Secret', secret.value)}>
          Copy
        </button>
      </div>
      {secret.extras?.map((extra) => (
        <div className="secret-row" key={extra.label}>
          <label>
            {extra.label}
            <input readOnly value={extra.value} spellCheck={false} autoComplete="off" onFocus={(e) => e.currentTarget.select()} />
          </label>
          <button type="button" onClick={() => copy(extra.label, extra.value)}>
            Copy {extra.label}
          </button>
        </div>
      ))}
      <p role="status" className="muted">
        {copied ? `${copied} copied to the clipboard.` : ''}
      </p>
      <button type="button" className="primary" onClick={onStored}>
        I have stored it
      </button>
    </div>
  );
}
