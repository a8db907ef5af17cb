// node --test web/test: reading /metrics and the journal's topics.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { journalSummary } from '../js/journal.js';
import { parseMetrics, rates, shortRate, snapshot } from '../js/metrics.js';

const PAGE = `# HELP wampgate_published_total PUBLISH messages
# TYPE wampgate_published_total counter
wampgate_published_total 10.0
wampgate_delivered_total 30.0
wampgate_topic_published_total{topic="demo.a"} 4.0
wampgate_topic_published_total{topic="demo.\\"q\\""} 6.0
wampgate_topic_delivered_total{topic="demo.a"} 8.0
wampgate_calls_total{procedure="demo.calc.add"} 5.0
wampgate_call_errors_total{procedure="demo.calc.add"} 1.0
wampgate_call_duration_seconds_bucket{le="+Inf",procedure="demo.calc.add"} 5.0
wampgate_call_duration_seconds_count{procedure="demo.calc.add"} 5.0
wampgate_call_duration_seconds_sum{procedure="demo.calc.add"} 0.01
wampgate_sessions{role="anonymous"} 2.0
wampgate_sessions{role="backend"} 4.0
wampgate_sessions{role="trusted"} 1.0
`;

test('a /metrics page becomes totals, topics, procedures and sessions', () => {
  const now = snapshot(parseMetrics(PAGE), 1000);
  assert.equal(now.published, 10);
  assert.equal(now.delivered, 30);
  assert.deepEqual(now.topics.get('demo.a'), { published: 4, delivered: 8 });
  assert.deepEqual(now.topics.get('demo."q"'), { published: 6, delivered: 0 });
  assert.deepEqual(now.procedures.get('demo.calc.add'), { calls: 5, errors: 1, meanMs: 2 });
  assert.equal(now.sessions, 6);
  assert.equal(now.calls, 5);
});

test('rates between two readings, a restarted router counting from zero', () => {
  const before = { t: 0, published: 10, delivered: 30, calls: 5, errors: 1 };
  const after = { t: 2000, published: 14, delivered: 4, calls: 9, errors: 2 };
  assert.deepEqual(rates(before, after), { published: 2, delivered: 2, calls: 2, errors: 0.5, errorShare: 0.25 });
  assert.equal(shortRate(0.44), '0.4');
  assert.equal(shortRate(1234), '1.2k');
});

test('the journal summary: counts, seq range and the age of the newest event', () => {
  const summary = journalSummary([
    { topic: 'demo.a', count: 3, first_seq: 1, last_seq: 3, last_time: '2026-01-01T00:00:00Z' },
    { topic: 'demo.b', count: 7, first_seq: 2, last_seq: 8 },
  ], Date.parse('2026-01-01T00:00:05Z'));
  assert.equal(summary.stored, 10);
  assert.equal(summary.lag, '5 s');
  assert.deepEqual(summary.topics.map((t) => [t.topic, t.seq, t.lag]), [['demo.b', '2–8', '–'], ['demo.a', '1–3', '5 s ago']]);
});

test('archive helpers: local times to UTC, times for people, JSON lines', async () => {
  const { jsonLines, localToIso, shownTime } = await import('../js/journal.js');
  assert.equal(localToIso(''), null);
  assert.equal(localToIso('nonsense'), null);
  assert.equal(localToIso('2026-12-02T05:00:00'), new Date('2026-12-02T05:00:00').toISOString());
  assert.equal(shownTime('2026-12-02T04:55:01.123456+00:00'), '2026-12-02 04:55:01.123');
  assert.equal(jsonLines([{ seq: 1 }, { seq: 2 }]), '{"seq":1}\n{"seq":2}\n');
  assert.equal(jsonLines([]), '');
});
