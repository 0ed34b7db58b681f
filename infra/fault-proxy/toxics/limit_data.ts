import { defineToxic, eachChunk, int64, REQUIRED } from './toxic.ts';

interface LimitDataState {
  transmitted: number;
}

/** limit_data: closes the connection once exactly `bytes` bytes have gone through this link. */
export const limitData = defineToxic({
  type: 'limit_data',
  goStruct: 'LimitDataToxic',
  description: 'close the connection after a number of bytes',
  attributes: { bytes: int64('bytes', 'bytes let through before the close', REQUIRED) },
  newState: (): LimitDataState => ({ transmitted: 0 }),
  pipe(stub, attributes) {
    // The count survives updates of the toxic: it belongs to the connection.
    const state = stub.state as LimitDataState;
    return eachChunk(stub, async (chunk) => {
      const remaining = Math.max(0, attributes.bytes - state.transmitted);
      const data = chunk.data.length > remaining ? chunk.data.subarray(0, remaining) : chunk.data;
      if (data.length > 0) {
        state.transmitted += data.length;
        await stub.write({ data, timestamp: chunk.timestamp });
      }
      if (attributes.bytes - state.transmitted > 0) return true;
      stub.close();
      return false;
    });
  },
});
