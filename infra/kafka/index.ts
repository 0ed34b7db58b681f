/** The public face of the lab's Kafka broker (see README.md). */
export { type ListenerOptions, type RunningBroker, type StartBrokerOptions, startBroker } from './broker.ts';
export { parseListenerSpec } from './listener-spec.ts';
export type { ListenerInfo } from './protocol/context.ts';
export { runKafkaStandalone, type StandaloneOptions } from './standalone.ts';
