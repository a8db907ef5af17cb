// The browser's connection to wampgate: one WAMP session that survives
// reconnects, on top of the autobahn-browser bundle (loaded as a classic
// script before this module: it defines the global `autobahn`).

export const CATALOG_LIST = 'wampgate.catalog.list';
/** A call (or the wait for a connection) took longer than the timeout. */
export const ERROR_TIMEOUT = 'wampgate.error.timeout';
/** The gateway was stopped, or the router refused the login for good. */
export const ERROR_NOT_CONNECTED = 'wampgate.error.not_connected';
const ERROR_CANCELED = 'wamp.error.canceled';
/** Every call settles within this many milliseconds unless told otherwise. */
export const DEFAULT_TIMEOUT_MS = 30000;

/** ws(s)://<same host and port>/ws, from the page's own location. */
export function routerUrl(loc = globalThis.location) {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}/ws`;
}

/** The realm: ?realm=... in the page URL, else realm1. */
export function realmFrom(loc = globalThis.location) {
  return new URLSearchParams(loc.search).get('realm') || 'realm1';
}

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

function toWampError(err) {
  if (err instanceof WampError) return err;
  if (err && typeof err.error === 'string') return new WampError(err.error, err.args || [], err.kwargs || {});
  // Autobahn throws this string when a session closes under a call.
  if (err === 'session not open') return new WampError(ERROR_NOT_CONNECTED, ['the connection closed']);
  return new WampError('wampgate.error.client', [String(err && err.message ? err.message : err)]);
}

function seconds(ms) {
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

/**
 * Topic rules per match kind, as the router applies them: words without
 * spaces, dots or #, joined by dots; a prefix may end in a dot, a wildcard
 * pattern may leave any word empty. Returns '' when `topic` is fine.
 */
export function topicProblem(topic, match = 'exact') {
  if (/[\s#]/.test(topic)) return 'A topic has no spaces and no #.';
  if (!topic && match === 'exact') return 'Enter a topic URI.';
  const words = topic.split('.');
  if (!words.some(Boolean)) return `A ${match} pattern needs at least one word, e.g. demo.clock.`;
  if (match === 'wildcard') return '';
  if (match === 'prefix') {
    return words.slice(0, -1).includes('')
      ? 'A prefix has no empty part before its end (a..b): choose Match=wildcard for patterns.'
      : '';
  }
  return words.includes('')
    ? 'An exact topic has no empty part (a..b or a trailing dot): choose Match=prefix or wildcard for patterns.'
    : '';
}

/** Unwrap autobahn.Result into plain data. */
function plain(result) {
  if (result && typeof result === 'object' && 'args' in result && 'kwargs' in result
      && result.constructor && result.constructor.name === 'Result') {
    return { args: result.args || [], kwargs: result.kwargs || {} };
  }
  return result;
}

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
   */
  async call(uri, args = [], kwargs = {}, { timeout = this.timeout } = {}) {
    const start = performance.now();
    const late = () => new WampError(ERROR_TIMEOUT, [`${uri} did not answer within ${seconds(timeout)}`]);
    let pending = null;
    try {
      const session = await this.ready(timeout);
      const left = Math.max(1, timeout - (performance.now() - start));
      // WAMP call timeouts are whole seconds on Crossbar.
      pending = session.call(uri, args, kwargs, { timeout: Math.max(1, Math.ceil(left / 1000)) });
      const result = await withDeadline(pending, left, late);
      return { value: plain(result), ms: performance.now() - start };
    } catch (err) {
      let error = toWampError(err);
      if (error.uri === ERROR_TIMEOUT && pending && typeof pending.cancel === 'function') {
        try { pending.cancel(); } catch { /* the session is gone already */ }
      }
      if (error.uri === ERROR_CANCELED && /timeout/.test(error.text)) error = late();
      error.ms = performance.now() - start;
      throw error;
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
   * {topic, args, kwargs, received}. Subscribed again after every reconnect.
   */
  async subscribe(topic, match, onEvent) {
    const sub = new Subscription(this, topic, match, onEvent);
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

export class Subscription {
  constructor(gateway, topic, match, onEvent) {
    this.gateway = gateway;
    this.topic = topic;
    this.match = match;
    this.onEvent = onEvent;
    this._handle = null;
  }

  async _attach(session) {
    const options = this.match === 'exact' ? {} : { match: this.match };
    this._handle = await session.subscribe(this.topic, (args, kwargs, details) => {
      this.onEvent({
        topic: (details && details.topic) || this.topic,
        args: args || [],
        kwargs: kwargs || {},
        received: new Date(),
      });
    }, options);
  }

  async close() {
    this.gateway._subs.delete(this);
    const handle = this._handle;
    this._handle = null;
    if (handle && this.gateway.session) {
      try {
        await this.gateway.session.unsubscribe(handle);
      } catch {
        // Already gone with the old session: nothing to undo.
      }
    }
  }
}
