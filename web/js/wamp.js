// The browser's connection to wampgate: one WAMP session that survives
// reconnects, on top of the autobahn-browser bundle (loaded as a classic
// script before this module: it defines the global `autobahn`).
// Errors and deadlines live in errors.js, addresses and topic rules in
// address.js, subscriptions (and recovery from the journal) in subscription.js.
import { realmFrom, routerUrl } from './address.js';
import {
  ERROR_CANCELED, ERROR_NOT_CONNECTED, ERROR_TIMEOUT, WampError, plain, seconds, toWampError, withDeadline,
} from './errors.js';
import { keepEventDetails } from './seq.js';
import { Subscription } from './subscription.js';

export { realmFrom, routerUrl, topicProblem } from './address.js';
export { ERROR_NOT_CONNECTED, ERROR_TIMEOUT, WampError, withDeadline } from './errors.js';
export { Subscription } from './subscription.js';

export const CATALOG_LIST = 'wampgate.catalog.list';
/** Every call settles within this many milliseconds unless told otherwise. */
export const DEFAULT_TIMEOUT_MS = 30000;

/**
 * Events: 'state' (detail: {state, reconnects, retryIn}).
 * States: connecting, connected, reconnecting, closed.
 */
export class Gateway extends EventTarget {
  /** Anonymous unless authid and password (a named user's login, WAMP-CRA) are given. */
  constructor({
    url = routerUrl(), realm = realmFrom(), authid = null, password = null, timeout = DEFAULT_TIMEOUT_MS,
  } = {}) {
    super();
    this.url = url;
    this.realm = realm;
    /** Milliseconds a call may take, waiting for a connection included. */
    this.timeout = timeout;
    this.authid = authid;
    this.password = password;
    this.state = 'connecting';
    this.session = null;
    this.reconnects = 0;
    this.opens = 0;
    this._subs = new Set();
    this._waiters = [];
  }

  start() {
    const options = {
      url: this.url,
      realm: this.realm,
      max_retries: -1,
      initial_retry_delay: 0.5,
      max_retry_delay: 5,
      retry_delay_growth: 1.5,
    };
    if (this.authid && this.password) {
      Object.assign(options, {
        authmethods: ['wampcra'],
        authid: this.authid,
        onchallenge: (session, method, extra) => this._signChallenge(method, extra),
      });
    }
    const connection = new autobahn.Connection(options);
    connection.onopen = (session, details) => this._opened(session, details);
    connection.onclose = (reason, details) => this._closed(reason, details);
    this.connection = connection;
    connection.open();
    return this;
  }

  /** WAMP-CRA: the key is derived here from the password and its salt; neither leaves. */
  _signChallenge(method, extra) {
    if (method !== 'wampcra') return null;
    const cra = autobahn.auth_cra;
    const key = extra.salt
      ? cra.derive_key(this.password, extra.salt, extra.iterations, extra.keylen)
      : this.password;
    return cra.sign(key, extra.challenge);
  }

  _setState(state, extra = {}) {
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: { state, reconnects: this.reconnects, ...extra } }));
  }

  async _opened(session, details = {}) {
    this.session = session;
    keepEventDetails(session);
    /** Who the router says we are: {authid, authrole}. */
    this.identity = { authid: details.authid, authrole: details.authrole };
    this.lastError = null;
    this.opens += 1;
    if (this.opens > 1) this.reconnects += 1;
    await Promise.all([...this._subs].map((sub) => sub._attach(session).catch(() => {})));
    this._setState('connected');
    this._waiters.splice(0).forEach((waiter) => waiter.resolve(session));
  }

  _notConnected(why) {
    return new WampError(ERROR_NOT_CONNECTED, [`not connected to ${this.url}: ${why}`]);
  }

  _rejectWaiters(why) {
    this._waiters.splice(0).forEach((waiter) => waiter.reject(this._notConnected(why)));
  }

  /** Close for good (no reconnect). */
  stop() {
    const connection = this.connection;
    this.connection = null;
    this.session = null;
    try {
      if (connection) connection.close();
    } catch {
      // Already closed (a refused login ends the connection by itself).
    }
    this._rejectWaiters('the gateway was stopped');
  }


  _closed(reason, details) {
    this.session = null;
    if (details && typeof details.reason === 'string' && details.reason.startsWith('wamp.error.')) {
      this.lastError = `${details.reason}${details.message ? `: ${details.message}` : ''}`;
      // An unknown user and a wrong password read the same (the CLI's words).
      this.loginRefused = Boolean(this.authid)
        && /authentication|not_authorized|no_such_principal/.test(details.reason);
      // A refused login (or an unknown realm) is refused again: do not retry it.
      if (/authentication|not_authorized|no_such_realm|no_such_role|no_auth_method/.test(details.reason)) {
        this._setState('closed', { reason: this.lastError });
        this._rejectWaiters(this.lastError);
        return true;
      }
    }
    for (const sub of this._subs) sub._handle = null;
    if (details && details.will_retry) {
      this._setState('reconnecting', { retryIn: details.retry_delay, reason });
    } else {
      this._setState(reason === 'closed' ? 'closed' : 'reconnecting', { reason });
    }
  }

  /**
   * The current session, waiting up to `ms` for the next one when
   * disconnected; rejects at once when the gateway is stopped or refused.
   */
  ready(ms = this.timeout) {
    if (this.session) return Promise.resolve(this.session);
    if (!this.connection || this.state === 'closed') {
      return Promise.reject(this._notConnected(this.lastError || 'the gateway is not started'));
    }
    const waiter = {};
    const next = new Promise((resolve, reject) => Object.assign(waiter, { resolve, reject }));
    this._waiters.push(waiter);
    return withDeadline(next, ms, () => {
      this._waiters = this._waiters.filter((w) => w !== waiter);
      const why = this.lastError ? ` (${this.lastError})` : '';
      return new WampError(ERROR_TIMEOUT, [
        `no connection to ${this.url} within ${seconds(ms)}${why}: is the router running, and is that its url?`,
      ]);
    });
  }

  /**
   * Call a procedure; resolves {value, ms}, rejects with WampError. The
   * call settles within `timeout` ms (the gateway's default unless given):
   * the router is asked to cancel it then too, so the callee stops working.
   * `onProgress(value)` gets the callee's progressive results as they come;
   * aborting `signal` cancels the call at the router (it rejects with
   * wamp.error.canceled).
   */
  async call(uri, args = [], kwargs = {}, { timeout = this.timeout, onProgress = null, signal = null } = {}) {
    const start = performance.now();
    const late = () => new WampError(ERROR_TIMEOUT, [`${uri} did not answer within ${seconds(timeout)}`]);
    let pending = null;
    // Mode kill: Autobahn keeps the call until the router's answer, instead of
    // forgetting it at once and then failing the connection over that answer.
    const cancel = () => { try { pending?.cancel({ mode: 'kill' }); } catch { /* the session is gone already */ } };
    try {
      const session = await this.ready(timeout);
      const left = Math.max(1, timeout - (performance.now() - start));
      // WAMP call timeouts are whole seconds on Crossbar.
      const options = { timeout: Math.max(1, Math.ceil(left / 1000)), receive_progress: Boolean(onProgress) };
      pending = session.call(uri, args, kwargs, options);
      if (onProgress) pending.then(null, () => {}, (update) => onProgress(plain(update)));
      signal?.addEventListener('abort', cancel, { once: true });
      const result = await withDeadline(pending, left, late);
      return { value: plain(result), ms: performance.now() - start };
    } catch (err) {
      let error = signal?.aborted ? new WampError(ERROR_CANCELED, ['cancelled']) : toWampError(err);
      if (error.uri === ERROR_TIMEOUT) cancel();
      if (error.uri === ERROR_CANCELED && /timeout/.test(error.text)) error = late();
      error.ms = performance.now() - start;
      throw error;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  /** Publish (a role that may publish: a named user); the page sees its own events too. */
  async publish(topic, args = [], kwargs = {}) {
    const session = await this.ready();
    try {
      return await session.publish(topic, args, kwargs, { acknowledge: true, exclude_me: false });
    } catch (err) {
      throw toWampError(err);
    }
  }

  async catalog() {
    return (await this.call(CATALOG_LIST)).value;
  }

  /**
   * Subscribe (match: exact, prefix or wildcard). onEvent gets
   * {topic, args, kwargs, received, seq, recovered}. Subscribed again after
   * every reconnect; with {recover: true} (an exact, journaled topic) what was
   * missed meanwhile comes first, from the journal, flagged recovered. If its
   * events come without a seq (the topic is not journaled, or the router does
   * not number events) it fires 'recovery-unavailable' {topic} once.
   */
  async subscribe(topic, match, onEvent, { recover = false } = {}) {
    const sub = new Subscription(this, topic, match, onEvent, { recover });
    this._subs.add(sub);
    if (this.session) {
      try {
        await sub._attach(this.session);
      } catch (err) {
        this._subs.delete(sub);
        throw toWampError(err);
      }
    }
    return sub;
  }
}
