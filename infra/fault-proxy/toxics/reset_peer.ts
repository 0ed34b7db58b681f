import { defineToxic, INTERRUPTED, int64, TIMED_OUT } from './toxic.ts';

/**
 * reset_peer: on the first data (or end of stream) after `timeout` ms, resets the connection:
 * both sockets are closed with a TCP RST (the client sees ECONNRESET); that data is discarded.
 */
export const resetPeer = defineToxic({
  type: 'reset_peer',
  goStruct: 'ResetToxic',
  description: 'reset the connection (TCP RST) after a timeout',
  attributes: { timeout: int64('ms', 'delay before the reset') },
  async pipe(stub, attributes) {
    const chunk = await stub.read();
    if (chunk === INTERRUPTED || chunk === TIMED_OUT) return;
    if (!(await stub.sleep(attributes.timeout))) {
      stub.unread(chunk);
      return;
    }
    stub.resetPeer();
  },
});
