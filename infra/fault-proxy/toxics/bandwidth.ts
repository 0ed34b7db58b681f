import { defineToxic, eachChunk, int64, REQUIRED } from './toxic.ts';

/**
 * bandwidth: limits the link to `rate` KB/s (1 KB = 1000 bytes). Chunks larger than 100 ms worth
 * of data are sent in 100 ms slices; the sleep owed is carried over so timer error does not add
 * up. A rate of 0 or less passes data unchanged.
 */
export const bandwidth = defineToxic({
  type: 'bandwidth',
  goStruct: 'BandwidthToxic',
  description: 'limit the rate of data',
  attributes: { rate: int64('KB/s', 'maximum rate', REQUIRED) },
  pipe(stub, attributes) {
    let owed = 0; // ms of sleep owed for data already accepted
    return eachChunk(stub, async (chunk) => {
      if (attributes.rate <= 0) {
        owed = 0;
        await stub.write(chunk);
        return true;
      }
      const bytesPerMs = attributes.rate; // KB/s = bytes per ms
      owed += chunk.data.length / bytesPerMs;
      const slice = bytesPerMs * 100;
      let data = chunk.data;
      while (data.length > slice) {
        if (!(await stub.sleep(100))) {
          await stub.write({ data, timestamp: chunk.timestamp });
          return false;
        }
        await stub.write({ data: data.subarray(0, slice), timestamp: chunk.timestamp });
        data = data.subarray(slice);
        owed -= 100;
      }
      const start = performance.now();
      const completed = await stub.sleep(owed);
      owed -= performance.now() - start;
      await stub.write({ data, timestamp: chunk.timestamp });
      return completed;
    });
  },
});
