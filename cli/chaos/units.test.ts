import { describe, expect, it } from 'vitest';
import { formatDuration } from './units.ts';

describe('formatDuration', () => {
  it.each([
    [850, '850ms'],
    [999.6, '1s'],
    [2000, '2s'],
    [12_340, '12.3s'],
    [59_960, '1m'],
    [357_000, '5m57s'],
    [359_700, '6m'],
    [360_400, '6m'],
    [3_599_600, '60m'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
