// A subscription that survives reconnects and, with {recover: true}, fetches
// from the journal what it missed while the connection was down: oldest
// first, flagged recovered, before any live event of the new session, with no
// gap and no duplicate (events are told apart by their journal seq).
import { HISTORY_GET, HISTORY_TOPICS } from './journal.js';
import { eventSeq } from './seq.js';

/** Events asked for per history call while catching up. */
export const RECOVERY_PAGE = 100;

function rows(result) {
  const value = result && Array.isArray(result.args) ? result.args[0] : result;
  return Array.isArray(value) ? value : [];
}

export class Subscription {
  /** onEvent gets {topic, args, kwargs, received, seq, recovered}. */
  constructor(gateway, topic, match, onEvent, { recover = false } = {}) {
    this.gateway = gateway;
    this.topic = topic;
    this.match = match;
    this.onEvent = onEvent;
    // The journal is kept per topic: only an exact subscription can catch up.
    this.recover = Boolean(recover) && match === 'exact';
    /** The seq of the newest event handed to onEvent. */
    this.lastSeq = null;
    /** Where catching up starts when no event has been seen yet (the journal's last seq at subscribe). */
    this._floor = null;
    this._held = null;
    this._handle = null;
    this.recovered = 0;
    this._saidUnnumbered = false;
  }

  async _attach(session) {
    const options = this.match === 'exact' ? {} : { match: this.match };
    const from = this.lastSeq ?? this._floor;
    if (this.recover) this._held = [];
    this._handle = await session.subscribe(this.topic, (args, kwargs, details) => {
      this._live({
        topic: (details && details.topic) || this.topic,
        args: args || [],
        kwargs: kwargs || {},
        received: new Date(),
        seq: eventSeq(),
        recovered: false,
      });
    }, options);
    if (!this.recover) return;
    try {
      if (from === null) await this._findFloor(session);
      else await this._catchUp(session, from);
    } catch (err) {
      this.gateway.dispatchEvent(new CustomEvent('recovery-failed', { detail: { topic: this.topic, error: err } }));
    } finally {
      this._release();
    }
  }

  _live(event) {
    if (this._held) this._held.push(event);
    else this._emit(event);
  }

  _emit(event) {
    if (event.seq === null && this.recover && !this._saidUnnumbered) {
      // Only the gateway's first router numbers journaled events.
      this._saidUnnumbered = true;
      console.warn(`${this.topic}: events arrive without a journal seq: this subscription cannot recover what it misses while away`);
      this.gateway.dispatchEvent(new CustomEvent('recovery-unavailable', { detail: { topic: this.topic } }));
    }
    if (event.seq !== null) {
      if (this.lastSeq !== null && event.seq <= this.lastSeq) return; // seen already
      this.lastSeq = event.seq;
    }
    if (event.recovered) this.recovered += 1;
    this.onEvent(event);
  }

  _release() {
    const held = this._held || [];
    this._held = null;
    held.forEach((event) => this._emit(event));
  }

  /** First session: remember the journal's last seq, where a later catch-up starts. */
  async _findFloor(session) {
    const topics = rows(await session.call(HISTORY_TOPICS, [], {}));
    const mine = topics.find((t) => t && t.topic === this.topic);
    this._floor = mine ? Number(mine.last_seq ?? 0) : 0;
  }

  async _catchUp(session, after) {
    let from = after;
    for (;;) {
      const page = rows(await session.call(HISTORY_GET, [this.topic], { after: from, limit: RECOVERY_PAGE }));
      for (const e of page) {
        this._emit({
          topic: e.topic || this.topic,
          args: e.args || [],
          kwargs: e.kwargs || {},
          received: new Date(),
          seq: e.seq,
          time: e.time,
          recovered: true,
        });
      }
      if (page.length < RECOVERY_PAGE) return;
      from = page[page.length - 1].seq;
    }
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
