import { defineToxic, INTERRUPTED, TIMED_OUT } from './toxic.ts';

/**
 * latency: delays all data by `latency` ± `jitter` ms (jitter drawn per chunk from
 * [latency - jitter, latency + jitter)). The delay counts from when the proxy read the data, so
 * data queued behind other data is not delayed twice.
 */
export const latency = defineToxic({
  type: 'latency',
  goStruct: 'LatencyToxic',
  description: 'delay all data by latency ± jitter',
  attributes: {
    latency: { unit: 'ms', description: 'added delay', goType: 'int64', required: true },
    jitter: { unit: 'ms', description: 'random variation of the delay, ±', goType: 'int64' },
  },
  async pipe(stub, attributes) {
    for (;;) {
      const chunk = await stub.read();
      if (chunk === INTERRUPTED || chunk === TIMED_OUT) return;
      if (chunk === null) return stub.close();
      const jitter = attributes.jitter > 0 ? stub.random.int(attributes.jitter * 2) - attributes.jitter : 0;
      const wait = attributes.latency + jitter - (performance.now() - chunk.timestamp);
      if (!(await stub.sleep(wait))) {
        // Interrupted (update or removal): pass the chunk on without the rest of its delay.
        await stub.write(chunk);
        return;
      }
      // A latency toxic further down the chain adds its own delay on top of this one.
      chunk.timestamp += wait;
      await stub.write(chunk);
    }
  },
});
