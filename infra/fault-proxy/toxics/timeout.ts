import { defineToxic, INTERRUPTED, int64, TIMED_OUT } from './toxic.ts';

/**
 * timeout: stops all data from getting through (it is dropped) and closes the connection once
 * `timeout` ms pass with no data arriving (as Toxiproxy, each arriving chunk restarts the wait).
 * With timeout 0 the connection is held open, dropping data, until the toxic is removed; removing
 * it closes the connections it held.
 */
export const timeout = defineToxic({
  type: 'timeout',
  goStruct: 'TimeoutToxic',
  description: 'drop all data, close after a timeout (0: hold until removed)',
  attributes: {
    timeout: int64('ms', 'idle time before the connection is closed; 0 = never'),
  },
  async pipe(stub, attributes) {
    const wait = attributes.timeout > 0 ? attributes.timeout : undefined;
    for (;;) {
      const chunk = await stub.read(wait);
      if (chunk === INTERRUPTED) return;
      if (chunk === TIMED_OUT || chunk === null) return stub.close();
      // Anything else is dropped on the floor.
    }
  },
  cleanup(stub) {
    stub.close();
  },
});
