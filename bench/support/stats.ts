/** min / median / max of a few rounds, and the ratio of two medians. */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
}

export const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export function formatSpread(s: Spread, digits = 0, unit = ''): string {
  return `median ${fixed(s.median, digits)}${unit} (min ${fixed(s.min, digits)}, max ${fixed(s.max, digits)})`;
}

/** A figure as a ratio against the baseline of the same run: `0.42×`. */
export function ratio(value: number, baseline: number, digits = 2): string {
  return `${fixed(value / baseline, digits)}×`;
}
