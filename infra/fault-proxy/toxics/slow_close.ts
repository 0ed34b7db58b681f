import { defineToxic, INTERRUPTED, TIMED_OUT } from './toxic.ts';

/** slow_close: passes data unchanged, but delays closing the connection by `delay` ms. */
export const slowClose = defineToxic({
  type: 'slow_close',
  goStruct: 'SlowCloseToxic',
  description: 'delay the close of the connection',
  attributes: {
    delay: { unit: 'ms', description: 'how long the close is held back', goType: 'int64', required: true },
  },
  async pipe(stub, attributes) {
    for (;;) {
      const chunk = await stub.read();
      if (chunk === INTERRUPTED || chunk === TIMED_OUT) return;
      if (chunk === null) {
        if (await stub.sleep(attributes.delay)) return stub.close();
        // Interrupted while holding the close: keep the end of stream for whoever runs next.
        stub.unread(null);
        return;
      }
      await stub.write(chunk);
    }
  },
});
