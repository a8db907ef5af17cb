// The gateway's /metrics page (Prometheus text format) read into numbers,
// and rates from two readings. Pure: no DOM, no network.

/** The router's page of counters, served on the web port beside the pages. */
export const METRICS_PATH = '/metrics';

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const UNESCAPE = { '\\\\': '\\', '\\"': '"', '\\n': '\n' };

function labelsOf(text) {
  const labels = {};
  for (const [, name, raw] of (text || '').matchAll(LABEL)) {
    labels[name] = raw.replace(/\\[\\"n]/g, (s) => UNESCAPE[s]);
  }
  return labels;
}

/** Every sample of the text: [{name, labels, value}], comments skipped. */
export function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match) samples.push({ name: match[1], labels: labelsOf(match[2]), value: Number(match[3]) });
  }
  return samples;
}

function byLabel(samples, name, label) {
  const out = new Map();
  for (const s of samples) {
    if (s.name === name) out.set(s.labels[label], (out.get(s.labels[label]) || 0) + s.value);
  }
  return out;
}

function one(samples, name) {
  return samples.filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);
}

/** Topics of the router's meta API (session joins, registrations, ...). */
export function isMeta(topic) {
  return topic.startsWith('wamp.');
}

/** Roles of the router's own sessions, left out of the sessions shown. */
const INTERNAL_ROLES = new Set(['trusted']);

/**
 * One reading of the counters at time `t` (ms): totals (without the
 * router's meta events), per topic, per procedure, sessions per role.
 */
export function snapshot(samples, t) {
  const calls = byLabel(samples, 'wampgate_calls_total', 'procedure');
  const errors = byLabel(samples, 'wampgate_call_errors_total', 'procedure');
  const seconds = byLabel(samples, 'wampgate_call_duration_seconds_sum', 'procedure');
  const answers = byLabel(samples, 'wampgate_call_duration_seconds_count', 'procedure');
  const published = byLabel(samples, 'wampgate_topic_published_total', 'topic');
  const delivered = byLabel(samples, 'wampgate_topic_delivered_total', 'topic');
  const roles = byLabel(samples, 'wampgate_sessions', 'role');
  const topics = new Map();
  for (const topic of new Set([...published.keys(), ...delivered.keys()])) {
    topics.set(topic, { published: published.get(topic) || 0, delivered: delivered.get(topic) || 0 });
  }
  const procedures = new Map();
  for (const [uri, n] of calls) {
    const answered = answers.get(uri) || 0;
    procedures.set(uri, {
      calls: n,
      errors: errors.get(uri) || 0,
      meanMs: answered ? (1000 * (seconds.get(uri) || 0)) / answered : null,
    });
  }
  for (const role of INTERNAL_ROLES) roles.delete(role);
  // The router's own meta events (wamp.session.on_join, ...) are not the application's traffic.
  const meta = (table) => [...table].filter(([topic]) => isMeta(topic)).reduce((sum, [, n]) => sum + n, 0);
  return {
    t,
    published: one(samples, 'wampgate_published_total') - meta(published),
    delivered: one(samples, 'wampgate_delivered_total') - meta(delivered),
    calls: [...calls.values()].reduce((a, b) => a + b, 0),
    errors: [...errors.values()].reduce((a, b) => a + b, 0),
    sessions: [...roles.values()].reduce((a, b) => a + b, 0),
    roles,
    topics,
    procedures,
  };
}

/** Per second between two readings; a counter that went down (a router restart) counts from 0. */
function perSecond(before, after, seconds) {
  const grown = after >= before ? after - before : after;
  return seconds > 0 ? grown / seconds : 0;
}

/** Rates between two snapshots: published/s, delivered/s, calls/s, errors/s and the error share. */
export function rates(before, after) {
  const seconds = (after.t - before.t) / 1000;
  const calls = perSecond(before.calls, after.calls, seconds);
  const errors = perSecond(before.errors, after.errors, seconds);
  return {
    published: perSecond(before.published, after.published, seconds),
    delivered: perSecond(before.delivered, after.delivered, seconds),
    calls,
    errors,
    errorShare: calls > 0 ? Math.min(1, errors / calls) : 0,
  };
}

/** A rate for people: 0, 0.4, 12, 1.2k, 35k. */
export function shortRate(x) {
  if (x >= 10000) return `${Math.round(x / 1000)}k`;
  if (x >= 1000) return `${(x / 1000).toFixed(1)}k`;
  if (x >= 10) return String(Math.round(x));
  return String(Number(x.toFixed(1)));
}
