/**
 * The fast kit's consumer: the reference contract (inbox + handler in one transaction, offsets after
 * the commit, bounded retries then the dead-letter topic; kit/consumer.ts) applied to what one fetch
 * brings across partitions, in as few transactions as possible. README.md beside this file has the
 * measurements.
 */
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Bus } from '../bus.ts';
import { type EventHandler, type HandlerMap, parseMessage, retryThenDeadLetter } from '../consumer.ts';
import { RecoveringConsumer } from '../consumer-recovery.ts';
import type { IncomingEvent, Topic } from '../events.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Tx } from '../outbox.ts';
import { type HandlingSpan, handlingSpan } from '../tracing.ts';
import { type Delivery, DuplicateDeliveryError, recordDeliveries, recordFirstDeliveries } from './inbox.ts';
import type { FastEventWriter } from './outbox.ts';
import { allOrFirstCause, type Pool, type PoolClient } from './pool.ts';

/** The most events of one partition's run, and of one transaction: bounds how long locks are held. */
const MAX_EVENTS_PER_RUN = 50;
const MAX_EVENTS_PER_TRANSACTION = 100;
/** Partitions whose batches kafkajs hands over at once: every partition a service reads, or more. */
const PARTITIONS_AT_ONCE = 16;

/** A partition's run of events waiting for the applier, and the caller waiting for its commit. */
interface PendingRun {
  events: IncomingEvent[];
  settle: (error?: unknown) => void;
}

/** One message of a partition, with what handling it needs from the batch it came in. */
interface Delivered {
  topic: string;
  partition: number;
  message: KafkaMessage;
  heartbeat(): Promise<void>;
}

// In a batch transaction the handlers of different aggregates run at once, their statements
// interleaved: a decision must rest on the handler's own aggregate's rows, or be checked again by
// the statement that acts on it (as payment's charge re-checks the balance it debits).

/** An event with the unit of work that emits what it causes. */
export interface Unit {
  tx: Tx;
  event: IncomingEvent;
}

/**
 * Handles all the events of its type in a transaction at once, alongside the per-event handlers
 * (its statements are sent after their first ones): one statement for all of them instead of one
 * each. Only for effects that do not depend on where the events stand among the batch's other
 * events (the shop's: confirming paid orders, scheduling shipments).
 */
export interface SetHandler {
  together(units: Unit[], log: Logger): Promise<void>;
}

/** One event through its handler, whichever kind (a set of one for a SetHandler). */
export function applyOne(
  handler: EventHandler | SetHandler,
  tx: Tx,
  event: IncomingEvent,
  log: Logger,
): Promise<void> {
  return typeof handler === 'function' ? handler(tx, event, log) : handler.together([{ tx, event }], log);
}

/** topic → event type → handler, per event or per set. */
export type FastHandlerMap = Partial<Record<Topic, Record<string, EventHandler | SetHandler>>>;

/** The service's plain handlers with its fast forms in their place. */
export function withFastForms(plain: HandlerMap, fast: FastHandlerMap): FastHandlerMap {
  const merged: FastHandlerMap = { ...plain };
  for (const [topic, handlers] of Object.entries(fast) as Array<[Topic, FastHandlerMap[Topic]]>)
    merged[topic] = { ...merged[topic], ...handlers };
  return merged;
}

/**
 * Set-based work on every event a transaction applies, before their handlers (its statement is the
 * transaction's first after the inbox's), in the same transaction (the order service's history of
 * the events it received: one statement per batch instead of one per event).
 */
export type ReceivedJournal = (
  client: PoolClient,
  events: readonly IncomingEvent[],
  log: Logger,
) => Promise<void>;

export interface BatchConsumerOptions {
  /** Consumer group and inbox consumer name: the service name. */
  group: string;
  bus: Bus;
  pool: Pool;
  writer: FastEventWriter;
  handlers: FastHandlerMap;
  journal?: ReceivedJournal | undefined;
  /** False with `--without inbox`. */
  dedup: boolean;
  maxAttempts: number;
  metrics?: Metrics | undefined;
  log: Logger;
}

/**
 * Runs one consumer group. Batches of several partitions (and topics) are fetched together and
 * their events applied by one applier, in as few transactions as possible: up to
 * MAX_EVENTS_PER_TRANSACTION events with one inbox statement, each aggregate's handlers in order
 * (different aggregates' at once, their statements pipelined), one outbox statement and one
 * commit. Under load a saga step then costs a fraction of a commit; with one event in flight it is
 * one transaction, as before. One applier per service also means two of its batch transactions
 * never wait on each other's rows (two concurrent ones did deadlock on payment's accounts). Offsets
 * are resolved only after the transaction committed (at-least-once; the inbox makes the
 * redelivery harmless).
 *
 * Failures: if anything in a batch transaction fails, it rolls back as a whole and each partition
 * handles its events again one at a time, so only the event at fault is retried or dead-lettered.
 * A database or network failure is waited out (retried without limit: the message is fine, the
 * world is not); anything else (poison, a handler bug) is retried `maxAttempts` times, then the
 * message goes to `<topic>.dlq` and to the dead_letters table, and the consumer moves on.
 */
export class BatchConsumer extends RecoveringConsumer {
  readonly #options: BatchConsumerOptions;
  #pending: PendingRun[] = [];
  #applying = false;
  #drainScheduled = false;
  /** Per partition, the last offset whose transaction committed; committed to the group on stop. */
  readonly #applied = new Map<string, { topic: string; partition: number; offset: string }>();
  #batchesInFlight = 0;
  #noBatchInFlight: (() => void) | undefined;

  constructor(options: BatchConsumerOptions) {
    super(options);
    this.#options = options;
  }

  // A partition that went to another member must not get our older offset committed over its own.
  protected override configure(consumer: Consumer): void {
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const [key, { topic, partition }] of this.#applied)
        if (!payload.memberAssignment[topic]?.includes(partition)) this.#applied.delete(key);
    });
  }

  protected async run(consumer: Consumer): Promise<void> {
    await consumer.subscribe({ topics: Object.keys(this.#options.handlers), fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
      // kafkajs's auto-commit commits after every batch: an OffsetCommit round trip before each next
      // fetch. Offsets are committed every 500 ms or 50 events instead (what was applied is redelivered
      // after a crash either way, and the inbox absorbs it), and on stop.
      autoCommit: false,
      autoCommitInterval: 500,
      autoCommitThreshold: 50,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.#handleBatch(payload),
    });
  }

  /**
   * Stops fetching, lets in-flight transactions finish, commits the offsets of everything applied,
   * leaves the group.
   */
  override async stop(): Promise<void> {
    this.stopping = true;
    if (this.#batchesInFlight > 0)
      await new Promise<void>((resolve) => {
        this.#noBatchInFlight = resolve;
      });
    const applied = [...this.#applied.values()];
    if (applied.length > 0) {
      // A member that was rebalanced away may be refused; the new owner then redelivers, as after a crash.
      await this.consumer
        .commitOffsets(
          applied.map(({ topic, partition, offset }) => ({ topic, partition, offset: nextOffset(offset) })),
        )
        .catch(() => {});
    }
    await super.stop();
  }

  async #handleBatch(payload: EachBatchPayload): Promise<void> {
    this.#batchesInFlight += 1;
    try {
      await this.#handlePartitionBatch(payload);
    } finally {
      this.#batchesInFlight -= 1;
      if (this.#batchesInFlight === 0) this.#noBatchInFlight?.();
    }
  }

  async #handlePartitionBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const resolveOffset = (offset: string): void => {
      payload.resolveOffset(offset);
      this.#applied.set(`${topic}/${partition}`, { topic, partition, offset });
    };
    // Stopping or rebalanced away: what is left is not resolved, so its next owner gets it again.
    const mayGoOn = (): boolean => isRunning() && !isStale() && !this.stopping;
    let run: Array<{ message: KafkaMessage; event: IncomingEvent }> = [];
    const flush = async (): Promise<void> => {
      const chunk = run;
      run = [];
      if (chunk.length === 0) return;
      await this.#handleRun(chunk, { topic, partition, heartbeat }, resolveOffset);
      await commitOffsetsIfNecessary();
    };
    for (const message of batch.messages) {
      if (!mayGoOn()) return;
      let event: IncomingEvent | undefined;
      try {
        event = parseMessage({ topic, partition, message });
      } catch {
        // Poison: what came before it commits first, then it takes the retry and dead-letter path alone.
        await flush();
        if (!mayGoOn()) return;
        await this.#handle({ topic, partition, message, heartbeat });
        resolveOffset(message.offset);
        continue;
      }
      run.push({ message, event });
      if (run.length >= MAX_EVENTS_PER_RUN) await flush();
    }
    if (mayGoOn()) await flush();
    await heartbeat().catch(() => {});
  }

  async #handleRun(
    run: Array<{ message: KafkaMessage; event: IncomingEvent }>,
    delivered: Omit<Delivered, 'message'>,
    resolveOffset: (offset: string) => void,
  ): Promise<void> {
    try {
      await this.#applyTogether(run.map((item) => item.event));
      resolveOffset(run.at(-1)!.message.offset);
      return;
    } catch (error) {
      if (this.stopping) throw error;
      if (run.length === 1) {
        this.#options.log.debug({ err: error }, 'consumer: event failed, retrying it alone');
      } else {
        this.#options.log.info(
          { err: error, events: run.length },
          'consumer: batch transaction failed, handling its events one at a time',
        );
      }
    }
    for (const { message } of run) {
      await this.#handle({ ...delivered, message });
      resolveOffset(message.offset);
    }
  }

  /** Resolves when `events` committed, together with the runs other partitions handed in meanwhile. */
  #applyTogether(events: IncomingEvent[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ events, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      // kafkajs hands over the partitions of one fetch one after another in the same turn of the
      // event loop: starting on the next turn takes them all into one transaction, not two.
      if (this.#applying || this.#drainScheduled) return;
      this.#drainScheduled = true;
      setImmediate(() => {
        this.#drainScheduled = false;
        void this.#drainPending();
      });
    });
  }

  async #drainPending(): Promise<void> {
    if (this.#applying) return;
    this.#applying = true;
    try {
      while (this.#pending.length > 0) {
        const taken: PendingRun[] = [];
        let events = 0;
        while (this.#pending.length > 0) {
          const next = this.#pending[0]!;
          if (taken.length > 0 && events + next.events.length > MAX_EVENTS_PER_TRANSACTION) break;
          taken.push(this.#pending.shift()!);
          events += next.events.length;
        }
        try {
          await this.#apply(taken.flatMap((run) => run.events));
          for (const run of taken) run.settle();
        } catch (error) {
          // Which run failed is not known here: each partition retries its own, one event at a time.
          for (const run of taken) run.settle(error);
        }
      }
    } finally {
      this.#applying = false;
    }
  }

  /** One message alone: bounded retries (transient failures waited out), then the dead letter. */
  #handle(delivered: Delivered): Promise<void> {
    const { group, bus, pool, log, metrics, maxAttempts } = this.#options;
    return retryThenDeadLetter({
      ...{ group, bus, pool, maxAttempts, metrics, log, ...delivered },
      apply: () => this.#apply([parseMessage(delivered)]),
      stopped: () => this.stopping,
    });
  }

  /**
   * Applies events and their inbox rows in one transaction. One aggregate's events (one key) go
   * through their handlers in order; the journal, different aggregates' handlers and the set
   * handlers run at once, so on the pipelining connection their statements travel together instead
   * of a round trip each (PostgreSQL still runs them one after another, each seeing those before).
   *
   * Deliveries are new but for faults, so with the inbox on the batch is first recorded as new
   * deliveries by a statement sent together with the handlers' (recordFirstDeliveries): a copy fails
   * it and every statement after it. Only then, and for a batch that holds copies of one event, the
   * inbox statement goes first and the handlers wait for its answer (recordDeliveries).
   */
  async #apply(events: IncomingEvent[]): Promise<void> {
    const { group, dedup, metrics } = this.#options;
    const handled = events.filter(
      (event) => this.#options.handlers[event.topic as Topic]?.[event.type] !== undefined,
    );
    if (handled.length === 0) return;
    const spans = new Map(handled.map((event) => [event, handlingSpan(event, group)]));
    let deliveries: Delivery[] | undefined;
    try {
      if (dedup && new Set(handled.map((event) => event.id.toLowerCase())).size === handled.length) {
        try {
          deliveries = await this.#applyAll(handled, spans, true);
        } catch (error) {
          if (!(error instanceof DuplicateDeliveryError)) throw error;
        }
      }
      deliveries ??= await this.#applyAll(handled, spans, false);
    } catch (error) {
      for (const span of spans.values()) span.fail(error);
      throw error;
    }
    metrics?.consumerBatchEvents.observe(handled.length);
    for (const [index, event] of handled.entries()) {
      const delivery = spans.get(event)!.committed(deliveries[index]!);
      if (delivery.duplicate && !delivery.apply) {
        metrics?.inboxDuplicatesSkipped.inc({ consumer: group, topic: event.topic });
        this.#logOf(event).info({ deliveries: delivery.deliveries }, 'duplicate skipped by the inbox');
      } else {
        if (delivery.duplicate) metrics?.eventsAppliedTwice.inc();
        metrics?.eventsConsumed.inc({ topic: event.topic, type: event.type });
      }
    }
  }

  #logOf(event: IncomingEvent): Logger {
    return this.#options.log.child({
      correlationId: event.headers['correlation-id'],
      eventId: event.id,
      eventType: event.type,
    });
  }

  /**
   * One transaction: the inbox statement, then the handlers of the events to apply. As first
   * deliveries the inbox statement is not waited for: its statement travels with the handlers'.
   */
  #applyAll(
    handled: IncomingEvent[],
    spans: ReadonlyMap<IncomingEvent, HandlingSpan>,
    asFirstDeliveries: boolean,
  ): Promise<Delivery[]> {
    const { group, writer, handlers, journal, dedup, log } = this.#options;
    return writer.batch(async (open, client) => {
      let recorded: Promise<Delivery[]>;
      let applied = handled;
      if (asFirstDeliveries) {
        recorded = recordFirstDeliveries(client, { consumer: group, events: handled });
      } else {
        const deliveries = await recordDeliveries(client, { consumer: group, events: handled, dedup });
        recorded = Promise.resolve(deliveries);
        applied = handled.filter((_, index) => deliveries[index]!.apply);
      }
      // Everything below is sent at once: the journal first, then each aggregate's first handler in
      // event order, then the set handlers; an aggregate's later events follow its earlier ones.
      // The inbox statement comes first, so its failure is the one reported.
      const work: Array<Promise<unknown>> = [recorded];
      if (journal && applied.length > 0) work.push(started(() => journal(client, applied, log)));
      const sets = new Map<SetHandler, Unit[]>();
      const byAggregate = new Map<string, Promise<void>>();
      for (const event of applied) {
        const handler = handlers[event.topic as Topic]![event.type]!;
        const tx = open(spans.get(event)!.context);
        if (typeof handler === 'function') {
          const key = event.key ?? event.id;
          const run = () => handler(tx, event, this.#logOf(event));
          const previous = byAggregate.get(key);
          byAggregate.set(key, previous ? previous.then(run) : started(run));
        } else sets.get(handler)?.push({ tx, event }) ?? sets.set(handler, [{ tx, event }]);
      }
      work.push(...byAggregate.values());
      for (const [handler, units] of sets) work.push(started(() => handler.together(units, log)));
      await allOrFirstCause(work);
      return recorded;
    });
  }
}

/** Kafka commits the next offset to read. */
function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

/** Runs `work` now; a synchronous throw becomes its rejection, so it is waited for like the rest. */
function started(work: () => Promise<void>): Promise<void> {
  try {
    return work();
  } catch (error) {
    return Promise.reject(error);
  }
}
