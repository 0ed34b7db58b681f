import { describe, expect, it } from 'vitest';
import { atTimeOfDay, clockFromEnv, LabClock, minutesOfDay, parseTimeOfDay } from './clock.ts';

describe('the lab clock', () => {
  it('runs `speed` lab milliseconds per real millisecond from its start', () => {
    const clock = new LabClock({
      speed: 720,
      startMs: Date.parse('2026-12-03T06:00:00Z'),
      epochMs: 1_000_000,
    });
    expect(new Date(clock.labMs(1_000_000)).toISOString()).toBe('2026-12-03T06:00:00.000Z');
    // 60 real seconds at 720x are 12 lab hours.
    expect(new Date(clock.labMs(1_060_000)).toISOString()).toBe('2026-12-03T18:00:00.000Z');
    expect(clock.realMs(Date.parse('2026-12-03T12:00:00Z'))).toBe(1_030_000);
    expect(clock.realDurationMs(30 * 60_000)).toBe(2_500);
  });

  it('reaches a child process through its environment unchanged', () => {
    const clock = new LabClock({ speed: 60, startMs: Date.parse('2026-01-01T05:30:00Z'), epochMs: 123_456 });
    const copy = clockFromEnv(clock.env());
    expect(copy.toJSON()).toEqual(clock.toJSON());
    expect(copy.labMs(200_000)).toBe(clock.labMs(200_000));
  });

  it('is real time when the environment names no clock', () => {
    const clock = clockFromEnv({});
    expect(clock.speed).toBe(1);
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(50);
  });

  it('reads empty variables as unset: compose run by hand passes LAB_CLOCK_START= and LAB_CLOCK_EPOCH=', () => {
    const clock = clockFromEnv({ LAB_CLOCK_SPEED: '1', LAB_CLOCK_START: '', LAB_CLOCK_EPOCH: '' });
    expect(clock.speed).toBe(1);
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(50);
    expect(clockFromEnv({ LAB_CLOCK_SPEED: '', LAB_CLOCK_START: '' }).speed).toBe(1);
  });

  it('refuses a speed or a start it cannot run', () => {
    expect(() => new LabClock({ speed: 0, startMs: 0, epochMs: 0 })).toThrow(/clock speed/);
    expect(() => clockFromEnv({ LAB_CLOCK_SPEED: 'fast' })).toThrow(/clock speed/);
    expect(() => clockFromEnv({ LAB_CLOCK_SPEED: '2', LAB_CLOCK_START: 'dawn' })).toThrow(/ISO time/);
  });

  it('reads times of day in UTC', () => {
    expect(parseTimeOfDay('17:30')).toBe(1050);
    expect(() => parseTimeOfDay('24:00')).toThrow(/HH:MM/);
    expect(() => parseTimeOfDay('7:30')).toThrow(/HH:MM/);
    const day = Date.parse('2026-12-03T10:15:00Z');
    expect(new Date(atTimeOfDay(day, 1050)).toISOString()).toBe('2026-12-03T17:30:00.000Z');
    expect(minutesOfDay(day)).toBe(615);
  });
});
