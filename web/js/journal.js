// The journal's answer to wampgate.history.topics(), made fit to show. Pure.

export const HISTORY_TOPICS = 'wampgate.history.topics';
export const HISTORY_GET = 'wampgate.history.get';

function ago(ms) {
  if (!(ms >= 0)) return '–';
  const s = ms / 1000;
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

function entries(value) {
  if (Array.isArray(value)) return value;
  if (value && Array.isArray(value.topics)) return value.topics;
  if (value && typeof value === 'object') return Object.entries(value).map(([topic, v]) => ({ topic, ...v }));
  return [];
}

/**
 * {stored, lag, topics: [{topic, count, seq, lag}]}, most stored first. A
 * `lag` is the age of the newest stored event (of the topic; of any topic):
 * how long ago the journal last stored something.
 */
export function journalSummary(value, now = Date.now()) {
  const topics = entries(value && value.args ? value.args[0] : value).map((t) => {
    const count = Number(t.count ?? t.events ?? 0);
    const first = t.first_seq ?? t.first;
    const lastSeq = t.last_seq ?? t.last;
    const newest = t.last_time ?? t.newest ?? t.last_at;
    return {
      topic: String(t.topic),
      count,
      seq: first == null ? '–' : `${first}–${lastSeq}`,
      ageMs: newest ? now - Date.parse(newest) : null,
      lag: newest ? `${ago(now - Date.parse(newest))} ago` : '–',
    };
  });
  topics.sort((a, b) => b.count - a.count || a.topic.localeCompare(b.topic));
  const ages = topics.map((t) => t.ageMs).filter((a) => a !== null);
  return {
    stored: topics.reduce((sum, t) => sum + t.count, 0),
    topics,
    /** The age of the newest event stored on any topic. */
    lag: ages.length ? ago(Math.min(...ages)) : '–',
  };
}

/** A datetime-local field's value (the page's local time) as ISO-8601 UTC, or null when empty. */
export function localToIso(value) {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The journal's ISO time for people: 2026-12-02 04:55:01.123 (UTC). */
export function shownTime(iso) {
  return String(iso).replace('T', ' ').replace(/(\.\d{3})\d*/, '$1').replace(/(\+00:00|Z)$/, '');
}

/** Events as JSON lines, one event per line, as the journal gave them. */
export function jsonLines(events) {
  return events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : '');
}
