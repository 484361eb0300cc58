import { useCallback, useState } from 'react';

/** Previous / Next over a cursor connection: a stack of the cursors that opened each page. */
export function Pager({ label, page, hasNext, onPrevious, onNext, total }: { label: string; page: number; hasNext: boolean; onPrevious: () => void; onNext: () => void; total: number }) {
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={onPrevious} disabled={page === 0}>
        Previous page
      </button>
      <span aria-live="polite">
        Page {page + 1} · {total} in all
      </span>
      <button type="button" onClick={onNext} disabled={!hasNext}>
        Next page
      </button>
    </nav>
  );
}

export function useCursorPages() {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  const next = useCallback((cursor: string | null | undefined) => {
    if (cursor) setStack((s) => [...s, cursor]);
  }, []);
  const previous = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(() => setStack((s) => (s.length === 1 && s[0] === null ? s : [null])), []);
  return { after: stack[stack.length - 1], page: stack.length - 1, next, previous, reset };
}
