/**
 * The lab clock: one notion of "now" for every process of a stack, running at real speed or
 * faster, so a 06:00-18:00 bakery day can pass in a minute.
 *
 * Lab time is a linear function of real time, fixed when the stack starts:
 *   lab(real) = start + (real - epoch) * speed
 * Every process gets the same three numbers through its environment (LAB_CLOCK_START,
 * LAB_CLOCK_EPOCH, LAB_CLOCK_SPEED), so the services, the checks and the report agree on what
 * lab time an instant was without talking to each other. With no settings lab time is real time.
 *
 * Times of day ("HH:MM") are read in UTC so a day's schedule means the same on every machine.
 */
import { LabError } from './errors.ts';

export interface LabClockSettings {
  /** Lab milliseconds per real millisecond (1 = real time). */
  speed: number;
  /** Lab time (epoch ms) at `epochMs`. */
  startMs: number;
  /** The real instant (epoch ms) the clock was set. */
  epochMs: number;
}

const CLOCK_ENV = {
  speed: 'LAB_CLOCK_SPEED',
  start: 'LAB_CLOCK_START',
  epoch: 'LAB_CLOCK_EPOCH',
} as const;

export const MAX_CLOCK_SPEED = 100_000;

/** A clock as JSON: its speed, the lab instant it started at and the real instant it did. */
export interface ClockJSON {
  speed: number;
  start: string;
  epoch: string;
}

export class LabClock {
  readonly speed: number;
  readonly startMs: number;
  readonly epochMs: number;

  constructor(settings: LabClockSettings) {
    if (!Number.isFinite(settings.speed) || settings.speed <= 0 || settings.speed > MAX_CLOCK_SPEED) {
      throw new LabError(
        'E_CLOCK',
        `clock speed must be a number in (0, ${MAX_CLOCK_SPEED}], got ${settings.speed}`,
      );
    }
    this.speed = settings.speed;
    this.startMs = settings.startMs;
    this.epochMs = settings.epochMs;
  }

  /** Real time, as a clock: lab time equals real time. */
  static real(): LabClock {
    const now = Date.now();
    return new LabClock({ speed: 1, startMs: now, epochMs: now });
  }

  /** A clock as toJSON() wrote it (status, result.json). */
  static fromJSON(json: ClockJSON): LabClock {
    return new LabClock({
      speed: json.speed,
      startMs: Date.parse(json.start),
      epochMs: Date.parse(json.epoch),
    });
  }

  /** The lab instant (epoch ms) at real instant `realMs` (default: now). */
  labMs(realMs: number = Date.now()): number {
    return this.startMs + (realMs - this.epochMs) * this.speed;
  }

  now(): Date {
    return new Date(this.labMs());
  }

  /** The real instant (epoch ms) at which lab time reaches `labMs`. */
  realMs(labMs: number): number {
    return this.epochMs + (labMs - this.startMs) / this.speed;
  }

  /** How many real milliseconds a span of lab milliseconds takes. */
  realDurationMs(labDurationMs: number): number {
    return labDurationMs / this.speed;
  }

  /** The environment that hands this clock to a child process. */
  env(): Record<string, string> {
    return {
      [CLOCK_ENV.speed]: String(this.speed),
      [CLOCK_ENV.start]: new Date(this.startMs).toISOString(),
      [CLOCK_ENV.epoch]: String(this.epochMs),
    };
  }

  /** The three numbers that fix this clock, as state files keep them. */
  settings(): LabClockSettings {
    return { speed: this.speed, startMs: this.startMs, epochMs: this.epochMs };
  }

  toJSON(): ClockJSON {
    return {
      speed: this.speed,
      start: new Date(this.startMs).toISOString(),
      epoch: new Date(this.epochMs).toISOString(),
    };
  }
}

/**
 * The clock a process was handed (real time when the environment names none). An empty variable is
 * unset: compose/docker-compose.yml passes `${LAB_CLOCK_START:-}` when a user runs compose by hand.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): LabClock {
  const speedText = env[CLOCK_ENV.speed] || undefined;
  const startText = env[CLOCK_ENV.start] || undefined;
  const epochText = env[CLOCK_ENV.epoch] || undefined;
  if (speedText === undefined && startText === undefined) return LabClock.real();
  const epochMs = epochText === undefined ? Date.now() : Number(epochText);
  const startMs = startText === undefined ? epochMs : Date.parse(startText);
  const speed = speedText === undefined ? 1 : Number(speedText);
  if (!Number.isFinite(epochMs))
    throw new LabError('E_CLOCK', `${CLOCK_ENV.epoch} must be epoch milliseconds, got "${epochText}"`);
  if (!Number.isFinite(startMs))
    throw new LabError('E_CLOCK', `${CLOCK_ENV.start} must be an ISO time, got "${startText}"`);
  return new LabClock({ speed, startMs, epochMs });
}

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes since midnight of an "HH:MM" time of day. */
export function parseTimeOfDay(text: string): number {
  const match = TIME_OF_DAY.exec(text);
  if (!match) throw new LabError('E_CLOCK', `a time of day is "HH:MM" (00:00-23:59), got "${text}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** The instant (epoch ms, UTC) of time of day `minutes` on the UTC day of `dayOfMs`. */
export function atTimeOfDay(dayOfMs: number, minutes: number): number {
  const day = new Date(dayOfMs);
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()) + minutes * 60_000;
}

/** Minutes since midnight (UTC) of an instant, with fractions. */
export function minutesOfDay(ms: number): number {
  const day = new Date(ms);
  return (ms - Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate())) / 60_000;
}

/** What a user asks for (`lab up --clock-speed N --clock-start HH:MM|ISO`, `stack.clock`). */
export interface ClockRequest {
  speed: number;
  /** "HH:MM" (that time of day, UTC, on the day the stack starts) or an ISO instant; default: now. */
  start?: string;
}

/** The lab instant a requested start names, on the UTC day of `nowMs` for a time of day. */
export function resolveClockStart(start: string | undefined, nowMs: number): number {
  if (start === undefined) return nowMs;
  if (/^\d\d:\d\d$/.test(start)) return atTimeOfDay(nowMs, parseTimeOfDay(start));
  const ms = Date.parse(start);
  if (!Number.isFinite(ms))
    throw new LabError('E_CLOCK', `a clock start is "HH:MM" or an ISO time, got "${start}"`);
  return ms;
}

/** The clock a stack starting at real instant `nowMs` runs (real time when nothing is asked). */
export function clockFor(request: ClockRequest | undefined, nowMs: number = Date.now()): LabClock {
  if (!request) return new LabClock({ speed: 1, startMs: nowMs, epochMs: nowMs });
  return new LabClock({
    speed: request.speed,
    startMs: resolveClockStart(request.start, nowMs),
    epochMs: nowMs,
  });
}

/** "06:42" of a lab instant (UTC), for evidence and logs. */
export function labTimeOfDay(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/** One line for `lab status` and `lab up`: the speed and the lab time now. */
export function describeClock(clock: LabClock, realMs: number = Date.now()): string {
  if (clock.speed === 1 && clock.startMs === clock.epochMs) return 'real-time clock';
  const now = new Date(clock.labMs(realMs)).toISOString().replace('T', ' ').slice(0, 16);
  return `lab clock ${clock.speed}x, lab time ${now} UTC`;
}
