/**
 * The fast kit (`LAB_KIT=fast`): the same contract as the reference kit, with the optimisations of
 * this folder (README.md): pipelined pool, claims on commit, batch consumer, set handlers, journals,
 * and each service's one-statement forms of its decisions.
 */
import type { FastifyInstance } from 'fastify';
import { kitOptions } from '../kit-options.ts';
import type { KitBase, KitParts, ServiceContext } from '../service.ts';
import { BatchConsumer, type FastHandlerMap, type ReceivedJournal, withFastForms } from './consumer.ts';
import { type EmittedJournal, FastEventWriter } from './outbox.ts';
import { createPipelinedPool } from './pool.ts';
import { FastRelay } from './relay.ts';

export interface FastServiceContext extends Omit<ServiceContext, 'writer'> {
  writer: FastEventWriter;
}

/** A service's fast forms; whatever is not given is the service's plain form. */
export interface FastForms {
  /** Replace the plain handlers of the same topic and type. */
  handlers?: (context: FastServiceContext) => FastHandlerMap;
  /** Set-based records of what a transaction receives and emits, instead of the plain journal. */
  journal?: { received: ReceivedJournal; emitted: EmittedJournal };
  routes?: (app: FastifyInstance, context: FastServiceContext) => void;
}

export function startFastKit(base: KitBase): KitParts {
  const { definition, config, log, metrics, faults } = base;
  const options = kitOptions(base);
  const fast = definition.fast ?? {};
  const pool = createPipelinedPool(config.databaseUrl!, { max: 10, application: definition.name });
  const writer = new FastEventWriter({ ...options.writer, pool, journal: fast.journal?.emitted });
  const context: FastServiceContext = { config, log, pool, writer, metrics, faults };
  const relay = writer.usesOutbox ? new FastRelay({ ...options.relay, pool }) : undefined;
  if (relay) writer.claimOnCommitWith((ids) => relay.claimOnCommit(ids));
  const consumer = definition.handlers
    ? new BatchConsumer({
        ...options.consumer,
        pool,
        writer,
        handlers: withFastForms(definition.handlers(context), fast.handlers?.(context) ?? {}),
        journal: fast.journal?.received,
      })
    : undefined;
  const routes = fast.routes ?? definition.routes;
  return { context, relay, consumer, routes: routes && ((app) => routes(app, context)) };
}
