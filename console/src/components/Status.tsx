/** A token status as text plus a colour cue (never colour alone). */
export function Status({ value }: { value: string | null | undefined }) {
  if (!value) return <span className="muted">—</span>;
  return <span className={`status status-${value.toLowerCase()}`}>{value}</span>;
}
