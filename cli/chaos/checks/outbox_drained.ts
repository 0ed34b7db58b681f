/** outbox_drained: no outbox row of any service is left unpublished after settling. */
import { DATABASE_SERVICES } from '../../../common/roster.ts';
import { type Check, evidence } from './types.ts';

export const outboxDrained: Check = async (context) => {
  const backlog: Array<Record<string, unknown>> = [];
  let published = 0;
  for (const service of DATABASE_SERVICES) {
    const db = context.databases[service];
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT id::text AS event_id, type, aggregateid, created_at FROM outbox
        WHERE published_at IS NULL ORDER BY seq LIMIT 100`,
    );
    const { rows: counts } = await db.query<{ pending: number; done: number }>(
      `SELECT count(*) FILTER (WHERE published_at IS NULL)::int AS pending,
              count(*) FILTER (WHERE published_at IS NOT NULL AND created_at >= $1)::int AS done FROM outbox`,
      [context.scope.startedAt],
    );
    published += counts[0]?.done ?? 0;
    for (const row of rows) backlog.push({ service, ...row });
    const pending = counts[0]?.pending ?? 0;
    // Rows beyond the evidence limit still count towards the total.
    for (let extra = rows.length; extra < pending; extra++) backlog.push({ service });
  }
  if (backlog.length === 0)
    return {
      verdict: 'valid',
      summary: `every outbox is empty (${published} events published this run)`,
      evidence: evidence([]),
    };
  const byService = new Map<string, number>();
  for (const row of backlog)
    byService.set(String(row.service), (byService.get(String(row.service)) ?? 0) + 1);
  return {
    verdict: 'invalid',
    summary: `unpublished outbox rows: ${[...byService].map(([service, count]) => `${service} ${count}`).join(', ')}`,
    evidence: evidence(backlog.filter((row) => 'event_id' in row)),
  };
};
