import { describe, expect, it } from 'vitest';
import {
  batchesBetween,
  closingOf,
  type DaySchedule,
  discounted,
  expiryOf,
  inDiscountWindow,
  priceAt,
  sweepSlot,
} from './bakery.ts';
import { clockFor, resolveClockStart } from './clock.ts';

const at = (time: string) => Date.parse(`2026-12-03T${time}:00Z`);
const donut: DaySchedule = {
  every_minutes: 20,
  batch: 1,
  shelf_life_minutes: 25,
  discount_percent: 50,
  discount_from: '17:30',
  opens: '06:00',
  closes: '18:00',
};

describe('the bakery day rules', () => {
  it('batches come out from opening, every interval, before closing', () => {
    expect(batchesBetween(donut, at('05:00'), at('07:00'))).toEqual([
      at('06:00'),
      at('06:20'),
      at('06:40'),
      at('07:00'),
    ]);
    expect(batchesBetween(donut, at('06:00') + 1, at('06:40'))).toEqual([at('06:20'), at('06:40')]);
    expect(batchesBetween(donut, at('17:30'), at('23:00'))).toEqual([at('17:40')]);
  });

  it('the discount applies inside [discount_from, closes) only, rounded to the cent', () => {
    expect(inDiscountWindow(donut, at('17:29'))).toBe(false);
    expect(inDiscountWindow(donut, at('17:30'))).toBe(true);
    expect(inDiscountWindow(donut, at('18:00'))).toBe(false);
    expect(priceAt(125, donut, at('17:45'))).toBe(63);
    expect(priceAt(125, donut, at('12:00'))).toBe(125);
    expect(priceAt(125, null, at('17:45'))).toBe(125);
    expect(discounted(1, 90)).toBe(1);
  });

  it('expiry, closing and the quarter-hour sweep slots', () => {
    expect(expiryOf(donut, at('06:00'))).toBe(at('06:25'));
    expect(expiryOf({ ...donut, shelf_life_minutes: null }, at('06:00'))).toBeNull();
    expect(closingOf(donut, at('09:13'))).toBe(at('18:00'));
    expect(sweepSlot(at('06:14'))).toBe(sweepSlot(at('06:00')));
    expect(sweepSlot(at('06:15'))).toBe(sweepSlot(at('06:00')) + 1);
  });

  it('a requested clock starts at a time of day (UTC) of the day it is started, or an ISO instant', () => {
    const now = at('14:21');
    expect(resolveClockStart('06:00', now)).toBe(at('06:00'));
    expect(resolveClockStart('2026-01-01T05:00:00Z', now)).toBe(Date.parse('2026-01-01T05:00:00Z'));
    expect(() => resolveClockStart('6am', now)).toThrow(/HH:MM/);
    const clock = clockFor({ speed: 720, start: '06:00' }, now);
    expect(clock.labMs(now + 60_000)).toBe(at('18:00'));
    expect(clockFor(undefined, now).labMs(now + 1000)).toBe(now + 1000);
  });
});
