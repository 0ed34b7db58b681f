import { defineToxic, eachChunk, int64, REQUIRED } from './toxic.ts';

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
    latency: int64('ms', 'added delay', REQUIRED),
    jitter: int64('ms', 'random variation of the delay, ±'),
  },
  pipe: (stub, attributes) =>
    eachChunk(stub, async (chunk) => {
      const jitter = attributes.jitter > 0 ? stub.random.int(attributes.jitter * 2) - attributes.jitter : 0;
      const wait = attributes.latency + jitter - (performance.now() - chunk.timestamp);
      if (!(await stub.sleep(wait))) {
        // Interrupted (update or removal): pass the chunk on without the rest of its delay.
        await stub.write(chunk);
        return false;
      }
      // A latency toxic further down the chain adds its own delay on top of this one.
      chunk.timestamp += wait;
      await stub.write(chunk);
      return true;
    }),
});
