import { DEFAULT_RETRY, retryDelay } from '../../src/core';

test('retry delays double from 5 s up to 1 h, jittered between half and all of the nominal delay', () => {
  const nominal = [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600].map((s) => s * 1000);
  nominal.forEach((ms, i) => {
    expect(retryDelay(i + 1, DEFAULT_RETRY, () => 0)).toBe(ms / 2);
    expect(retryDelay(i + 1, DEFAULT_RETRY, () => 0.999999)).toBeLessThanOrEqual(ms);
    expect(retryDelay(i + 1, DEFAULT_RETRY, () => 0.999999)).toBeGreaterThan(ms * 0.99);
  });
  expect(retryDelay(10_000, DEFAULT_RETRY, () => 1)).toBe(3_600_000);
  // Even with the shortest jitter every time, attempts go on past the 24-hour window.
  let elapsed = 0;
  let attempts = 0;
  while (elapsed < DEFAULT_RETRY.windowMs) elapsed += retryDelay(++attempts, DEFAULT_RETRY, () => 0);
  expect(attempts).toBeGreaterThan(40);
});
