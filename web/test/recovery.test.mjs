// node --test web/test: the seq shim and the order rules of a recovering subscription.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { eventSeq, keepEventDetails } from '../js/seq.js';
import { Subscription } from '../js/subscription.js';

test('x_seq is read from the raw EVENT details while its handler runs, and only then', () => {
  const seen = [];
  const session = { _MESSAGE_MAP: { 36: () => seen.push(eventSeq()) } };
  keepEventDetails(session);
  keepEventDetails(session); // wrapped once only
  session._MESSAGE_MAP[36]([36, 1, 2, { x_seq: 41 }, []]);
  session._MESSAGE_MAP[36]([36, 1, 3, {}, []]);
  assert.deepEqual(seen, [41, null]);
  assert.equal(eventSeq(), null);
});

test('recovered events come first, oldest first; held live ones follow without duplicates', () => {
  const got = [];
  const sub = new Subscription(new EventTarget(), 'demo.t', 'exact', (e) => got.push([e.seq, e.recovered]), { recover: true });
  sub.lastSeq = 3;
  sub._held = [];
  sub._live({ seq: 6, recovered: false });
  sub._live({ seq: 7, recovered: false });
  for (const seq of [4, 5, 6]) sub._emit({ seq, recovered: true });
  sub._release();
  sub._live({ seq: 8, recovered: false });
  assert.deepEqual(got, [[4, true], [5, true], [6, true], [7, false], [8, false]]);
  assert.equal(sub.lastSeq, 8);
  assert.equal(sub.recovered, 3);
});

test('only an exact subscription recovers (the journal is kept per topic)', () => {
  const gateway = new EventTarget();
  assert.equal(new Subscription(gateway, 'demo.', 'prefix', () => {}, { recover: true }).recover, false);
  assert.equal(new Subscription(gateway, 'demo.t', 'exact', () => {}, { recover: true }).recover, true);
});

test('a recovering subscription whose events carry no seq says once that it cannot recover', () => {
  const gateway = new EventTarget();
  const told = [];
  gateway.addEventListener('recovery-unavailable', (e) => told.push(e.detail.topic));
  const got = [];
  const sub = new Subscription(gateway, 'demo.t', 'exact', (e) => got.push(e.seq), { recover: true });
  const warn = console.warn;
  console.warn = () => {};
  try {
    sub._live({ seq: null, recovered: false });
    sub._live({ seq: null, recovered: false });
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(got, [null, null]);
  assert.deepEqual(told, ['demo.t']);
});
