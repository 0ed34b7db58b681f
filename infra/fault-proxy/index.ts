export { TOXIPROXY_VERSION } from './api.ts';
export { createRandom, type Random } from './random.ts';
export { type FaultProxy, type FaultProxyOptions, startFaultProxy } from './server.ts';
export { TOXICS } from './toxics/index.ts';
