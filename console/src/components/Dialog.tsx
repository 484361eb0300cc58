import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal dialog on the native <dialog>: focus moves in and is kept there, Escape closes it
 * unless `locked` (a secret is showing and must be acknowledged first).
 */
export function Dialog({ title, open, onClose, locked, children }: { title: string; open: boolean; onClose: () => void; locked?: boolean; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const heading = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={heading}
      onCancel={(event) => {
        event.preventDefault();
        if (!locked) onClose();
      }}
    >
      <header className="dialog-header">
        <h2 id={heading}>{title}</h2>
        {locked ? null : (
          <button type="button" className="ghost" onClick={onClose} aria-label="Close">
            ✕
          </button>
        )}
      </header>
      {open ? children : null}
    </dialog>
  );
}
