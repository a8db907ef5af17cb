// WAMP errors as one class, and deadlines on promises. Pure.

/** A call (or the wait for a connection) took longer than the timeout. */
export const ERROR_TIMEOUT = 'wampgate.error.timeout';
/** The gateway was stopped, or the router refused the login for good. */
export const ERROR_NOT_CONNECTED = 'wampgate.error.not_connected';
export const ERROR_CANCELED = 'wamp.error.canceled';

/** A WAMP error reply, with the error URI a person can look up. */
export class WampError extends Error {
  constructor(uri, args = [], kwargs = {}) {
    const text = typeof args[0] === 'string' ? args[0] : '';
    super(text ? `${uri}: ${text}` : uri);
    this.uri = uri;
    this.text = text;
    this.args = args;
    this.kwargs = kwargs;
  }
}

export function toWampError(err) {
  if (err instanceof WampError) return err;
  if (err && typeof err.error === 'string') return new WampError(err.error, err.args || [], err.kwargs || {});
  // Autobahn throws this string when a session closes under a call.
  if (err === 'session not open') return new WampError(ERROR_NOT_CONNECTED, ['the connection closed']);
  return new WampError('wampgate.error.client', [String(err && err.message ? err.message : err)]);
}

export function seconds(ms) {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** Settle like `promise` within `ms` milliseconds, else reject with `onTimeout()`. */
export function withDeadline(promise, ms, onTimeout) {
  let timer;
  const expired = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Unwrap autobahn.Result into plain data. */
export function plain(result) {
  if (result && typeof result === 'object' && 'args' in result && 'kwargs' in result
      && result.constructor && result.constructor.name === 'Result') {
    return { args: result.args || [], kwargs: result.kwargs || {} };
  }
  return result;
}
