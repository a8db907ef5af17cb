// The browser's connection to wampgate: one WAMP session that survives
// reconnects, on top of the autobahn-browser bundle (loaded as a classic
// script before this module: it defines the global `autobahn`).

export const CATALOG_LIST = 'wampgate.catalog.list';

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
  return new WampError('wampgate.error.client', [String(err && err.message ? err.message : err)]);
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
  /** Anonymous unless authid and ticket (a named user's login) are given. */
  constructor({ url = routerUrl(), realm = realmFrom(), authid = null, ticket = null } = {}) {
    super();
    this.url = url;
    this.realm = realm;
    this.authid = authid;
    this.ticket = ticket;
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
    if (this.authid && this.ticket) {
      Object.assign(options, {
        authmethods: ['ticket'],
        authid: this.authid,
        onchallenge: (session, method) => (method === 'ticket' ? this.ticket : null),
      });
    }
    const connection = new autobahn.Connection(options);
    connection.onopen = (session, details) => this._opened(session, details);
    connection.onclose = (reason, details) => this._closed(reason, details);
    this.connection = connection;
    connection.open();
    return this;
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
    const waiters = this._waiters.splice(0);
    waiters.forEach((resolve) => resolve(session));
  }

  /** Close for good (no reconnect). */
  stop() {
    const connection = this.connection;
    this.connection = null;
    try {
      if (connection) connection.close();
    } catch {
      // Already closed (a refused login ends the connection by itself).
    }
  }


  _closed(reason, details) {
    this.session = null;
    if (details && typeof details.reason === 'string' && details.reason.startsWith('wamp.error.')) {
      this.lastError = `${details.reason}${details.message ? `: ${details.message}` : ''}`;
      // A refused login (or an unknown realm) is refused again: do not retry it.
      if (/authentication|not_authorized|no_such_realm|no_such_role|no_auth_method/.test(details.reason)) {
        this._setState('closed', { reason: this.lastError });
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

  /** The current session, waiting for the next one when disconnected. */
  ready() {
    if (this.session) return Promise.resolve(this.session);
    return new Promise((resolve) => this._waiters.push(resolve));
  }

  /** Call a procedure; resolves {value, ms}, rejects with WampError. */
  async call(uri, args = [], kwargs = {}) {
    const session = await this.ready();
    const start = performance.now();
    try {
      const result = await session.call(uri, args, kwargs);
      return { value: plain(result), ms: performance.now() - start };
    } catch (err) {
      const error = toWampError(err);
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
