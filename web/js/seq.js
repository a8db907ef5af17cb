// The journal's sequence number of a live event (EVENT details x_seq).
//
// Autobahn|JS builds the handler's event details from the keys it knows and
// drops the rest, x_seq included. This is the one place that reads it: the
// session's EVENT dispatch is wrapped to keep the raw details of the event
// being dispatched, and eventSeq() reads them from inside a handler.

const EVENT = 36;
let dispatching = null;

/** Wrap `session`'s EVENT dispatch once (Autobahn looks the handler up per message). */
export function keepEventDetails(session) {
  const map = session._MESSAGE_MAP;
  const original = map && map[EVENT];
  if (!original || original._wampgateKeepsDetails) return;
  const wrapped = (msg) => {
    dispatching = msg[3] || {};
    try {
      original(msg);
    } finally {
      dispatching = null;
    }
  };
  wrapped._wampgateKeepsDetails = true;
  map[EVENT] = wrapped;
}

/** The x_seq of the event whose handler is running now, or null. */
export function eventSeq() {
  const seq = dispatching && dispatching.x_seq;
  return Number.isInteger(seq) ? seq : null;
}
