import { createRequire } from 'node:module';

/**
 * kafkajs 2.2.4 keeps a 1 ms timer loop alive on every broker connection, forever.
 *
 * After each response, `RequestQueue.checkPendingRequests` calls `scheduleCheckPendingRequests`,
 * which arms `setTimeout(check, throttledUntil - Date.now())` even when nothing is pending. With no
 * throttle, `throttledUntil` is -1, the delay is about -1.8e12 ms (Node warns
 * TimeoutNegativeWarning) and becomes 1 ms; the check re-arms the timer: about 1000 wake-ups per
 * second per connection, measured at ~40 ms of CPU per second per service, idle or not.
 *
 * The timer only matters when requests wait in the queue (throttled, or over the in-flight limit),
 * and every path that queues one (`push`) or frees a slot (`fulfillRequest`, a timeout) calls the
 * check again. So skipping it while the queue is empty changes nothing else.
 */
interface RequestQueuePrototype {
  pending: unknown[];
  scheduleCheckPendingRequests(this: RequestQueuePrototype): void;
}

const require = createRequire(import.meta.url);
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
  prototype: RequestQueuePrototype;
};
const original = RequestQueue.prototype.scheduleCheckPendingRequests;
if (!(original as { labPatched?: boolean }).labPatched) {
  const patched = function scheduleCheckPendingRequests(this: RequestQueuePrototype) {
    if (this.pending.length === 0) return;
    original.call(this);
  };
  (patched as { labPatched?: boolean }).labPatched = true;
  RequestQueue.prototype.scheduleCheckPendingRequests = patched;
}
