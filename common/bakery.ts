/**
 * The bakery day as pure functions of a product's schedule and a lab instant, so catalog (the
 * discount), inventory (the oven, the sweep, the throw-out) and the checks compute the same
 * answers from the same declaration without asking each other.
 *
 * A day runs from `opens` to `closes` (times of day, UTC, closes after opens). Batches come out at
 * opens, opens + every, ... before closes. From `discount_from` until closing the price is
 * `discount_percent` off (rounded to the cent, never below one). At closing, what is left is
 * thrown out. Stale units are swept on the lab quarter-hours.
 */
import { atTimeOfDay, minutesOfDay, parseTimeOfDay } from './clock.ts';

/** The fields of a BakeSchedule (services/kit/contracts.ts) these rules read. */
export interface DaySchedule {
  every_minutes: number;
  batch: number;
  shelf_life_minutes: number | null;
  discount_percent: number;
  discount_from: string | null;
  opens: string;
  closes: string;
}

const MINUTE = 60_000;

/** Lab minutes between two stale sweeps (on the quarter-hours of the lab clock). */
const SWEEP_EVERY_MINUTES = 15;

/** Whether the discount applies at lab instant `labMs`: inside [discount_from, closes). */
export function inDiscountWindow(schedule: DaySchedule, labMs: number): boolean {
  if (schedule.discount_percent <= 0 || schedule.discount_from === null) return false;
  const minutes = minutesOfDay(labMs);
  return minutes >= parseTimeOfDay(schedule.discount_from) && minutes < parseTimeOfDay(schedule.closes);
}

/** The list price less the discount: what a quote gives inside the window. */
export function discounted(listCents: number, percent: number): number {
  return Math.max(1, Math.round((listCents * (100 - percent)) / 100));
}

/** The price a quote gives at lab instant `labMs`. */
export function priceAt(listCents: number, schedule: DaySchedule | null, labMs: number): number {
  return schedule && inDiscountWindow(schedule, labMs)
    ? discounted(listCents, schedule.discount_percent)
    : listCents;
}

/** Closing time (lab epoch ms) of the day of `labMs`. */
export function closingOf(schedule: DaySchedule, labMs: number): number {
  return atTimeOfDay(labMs, parseTimeOfDay(schedule.closes));
}

/**
 * The batch instants of the days between `fromMs` (inclusive) and `toMs` (inclusive), oldest
 * first: opens + k * every, before closes, of each UTC day the span touches.
 */
export function batchesBetween(schedule: DaySchedule, fromMs: number, toMs: number): number[] {
  const opens = parseTimeOfDay(schedule.opens);
  const closes = parseTimeOfDay(schedule.closes);
  const batches: number[] = [];
  for (let day = atTimeOfDay(fromMs, 0); day <= toMs; day += 24 * 60 * MINUTE) {
    for (let minute = opens; minute < closes; minute += schedule.every_minutes) {
      const at = day + Math.round(minute * MINUTE);
      if (at >= fromMs && at <= toMs) batches.push(at);
    }
  }
  return batches;
}

/** The lab instant a unit baked at `producedMs` goes stale (null: it lasts its day). */
export function expiryOf(schedule: DaySchedule, producedMs: number): number | null {
  return schedule.shelf_life_minutes === null ? null : producedMs + schedule.shelf_life_minutes * MINUTE;
}

/** The sweep slot of a lab instant: sweeps happen when it changes. */
export function sweepSlot(labMs: number): number {
  return Math.floor(labMs / (SWEEP_EVERY_MINUTES * MINUTE));
}
