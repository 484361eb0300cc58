import { useState } from 'react';
import type { Revealed } from './SecretReveal';

/**
 * A dialog that creates something, then shows its secret once: the form while `secret` is null,
 * then the secret, the dialog locked until the user says it is stored. The secret lives only in
 * this state, never in browser storage, so `close` is what makes it unrecoverable.
 * `problem` and `done` are the outcome of the screen's last act, in the dialog or beside it.
 */
export function useShowOnceDialog<S extends Revealed = Revealed>() {
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState<S | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const close = () => {
    setOpen(false);
    setSecret(null);
    setProblem(null);
  };
  // Opens the dialog too: a secret may come from an act outside it (a Regenerate button in a row).
  const reveal = (created: S) => {
    setSecret(created);
    setOpen(true);
  };
  return {
    open,
    secret,
    problem,
    done,
    setProblem,
    setDone,
    openForm: () => setOpen(true),
    reveal,
    close,
    /** For the Dialog: until the secret is stored, neither Escape nor ✕ can close it. */
    dialog: { open, onClose: close, locked: secret !== null },
  };
}
