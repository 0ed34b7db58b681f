/**
 * dlq_accounted: every poison message the run injected (the `poison` fault's decisions, by topic
 * and key) was dead-lettered by a consumer group subscribed to its topic, and nothing else was.
 * A dead-letter topic is where a consumer parks what it cannot apply so its partition moves on:
 * a poison message that is in none was dropped or still blocks a partition, and a real event
 * there is a saga step given up on.
 */
import { subscribersOf } from '../subscriptions.ts';
import { type CheckDefinition, evidence } from './types.ts';

export const dlqAccounted: CheckDefinition = {
  name: 'dlq_accounted',
  description: 'every injected poison message is in a dead-letter topic, and no other message is',
  optIn: true,
  run: (context) => {
    const { rows, scope } = context.snapshot;
    const poisons = scope.poisonsInjected;
    if (poisons === undefined)
      return {
        verdict: 'unknown',
        summary: 'the run did not record the poison it injected (a run stored before it was recorded)',
        evidence: evidence([]),
      };
    const injected = new Set(poisons.map((poison) => `${poison.topic}\u0000${poison.key}`));
    const deadLetters = Object.values(rows).flatMap((tables) => tables.dead_letters);
    const parkedBy = new Map<string, string[]>();
    const strangers: Array<Record<string, unknown>> = [];
    for (const row of deadLetters) {
      const key = `${row.topic}\u0000${row.key}`;
      if (injected.has(key)) parkedBy.set(key, [...(parkedBy.get(key) ?? []), row.consumer]);
      else
        strangers.push({
          problem: 'dead-lettered but not injected',
          consumer: row.consumer,
          topic: row.topic,
          key: row.key,
          event_id: row.event_id,
          event_type: row.event_type,
          error: row.error,
        });
    }
    const unaccounted = poisons
      .filter((poison) => (parkedBy.get(`${poison.topic}\u0000${poison.key}`) ?? []).length === 0)
      .map((poison) => ({
        problem: 'injected but in no dead-letter topic',
        ...poison,
        subscribers: subscribersOf(poison.topic),
      }));
    const problems = [...unaccounted, ...strangers];
    if (problems.length === 0)
      return {
        verdict: 'valid',
        summary:
          poisons.length === 0
            ? 'no poison injected and no message dead-lettered'
            : `all ${poisons.length} poison messages dead-lettered (${deadLetters.length} dead letters), nothing else`,
        evidence: evidence([]),
      };
    return {
      verdict: 'invalid',
      summary: [
        unaccounted.length > 0
          ? `${unaccounted.length} of ${poisons.length} poison messages in no dead-letter topic`
          : '',
        strangers.length > 0 ? `${strangers.length} dead letters that were not injected` : '',
      ]
        .filter(Boolean)
        .join('; '),
      evidence: evidence(problems),
    };
  },
};
