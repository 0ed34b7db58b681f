import { defineToxic, eachChunk, int64, REQUIRED } from './toxic.ts';

/** slow_close: passes data unchanged, but delays closing the connection by `delay` ms. */
export const slowClose = defineToxic({
  type: 'slow_close',
  goStruct: 'SlowCloseToxic',
  description: 'delay the close of the connection',
  attributes: { delay: int64('ms', 'how long the close is held back', REQUIRED) },
  pipe: (stub, attributes) =>
    eachChunk(
      stub,
      (chunk) => stub.write(chunk),
      async () => {
        if (await stub.sleep(attributes.delay)) return stub.close();
        // Interrupted while holding the close: keep the end of stream for whoever runs next.
        stub.unread(null);
      },
    ),
});
