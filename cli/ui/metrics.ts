/**
 * The counters a learner watches, from each service's Prometheus /metrics (services/SCHEMA.md
 * "Counters"): duplicates skipped per inbox, events applied twice, dead letters, outbox backlog,
 * relay lag, and the read side's projection lag (search).
 */
import { KAFKA_SERVICES, type ServiceName } from '../../common/roster.ts';

export interface ServiceCounters {
  service: string;
  up: boolean;
  duplicatesSkipped: number;
  appliedTwice: number;
  deadLetters: number;
  outboxBacklog: number;
  relayPublished: number;
  /** Mean outbox → broker acknowledgement time in ms, over the service's life; null before any publish. */
  relayLagMs: number | null;
  /** The read side's lag (search only): events behind and lab seconds behind; null elsewhere. */
  projectionLag: { events: number; seconds: number } | null;
}

/** Sum of every sample of `name` (all label sets). */
export function sumMetric(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

/** Whether the text has a sample of `name` at all. */
function hasMetric(text: string, name: string): boolean {
  return text.split('\n').some((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`));
}

export function countersFrom(service: string, text: string): ServiceCounters {
  const lagCount = sumMetric(text, 'lab_outbox_publish_lag_seconds_count');
  return {
    service,
    up: true,
    duplicatesSkipped: sumMetric(text, 'lab_inbox_duplicates_skipped_total'),
    appliedTwice: sumMetric(text, 'lab_events_applied_twice_total'),
    deadLetters: sumMetric(text, 'lab_dead_letters_total'),
    outboxBacklog: sumMetric(text, 'lab_outbox_backlog'),
    relayPublished: sumMetric(text, 'lab_relay_published_total'),
    relayLagMs:
      lagCount > 0
        ? Math.round((sumMetric(text, 'lab_outbox_publish_lag_seconds_sum') / lagCount) * 10_000) / 10
        : null,
    projectionLag: hasMetric(text, 'lab_projection_lag_events')
      ? {
          events: sumMetric(text, 'lab_projection_lag_events'),
          seconds: sumMetric(text, 'lab_projection_lag_seconds'),
        }
      : null,
  };
}

export async function scrapeCounters(
  services: Partial<Record<ServiceName, string>>,
): Promise<ServiceCounters[]> {
  return Promise.all(
    KAFKA_SERVICES.filter((service) => services[service]).map(async (service) => {
      try {
        const response = await fetch(new URL('/metrics', services[service]), {
          signal: AbortSignal.timeout(1500),
        });
        return countersFrom(service, await response.text());
      } catch {
        return { ...countersFrom(service, ''), up: false };
      }
    }),
  );
}
