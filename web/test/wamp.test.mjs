// node --test web/test: the browser library's pure parts.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DEFAULT_TIMEOUT_MS, ERROR_NOT_CONNECTED, ERROR_TIMEOUT, Gateway, WampError, routerUrl, topicProblem, withDeadline } from '../js/wamp.js';

const where = { protocol: 'http:', host: '127.0.0.1:1', search: '' };

test('topics follow the rules of their match kind', () => {
  assert.equal(topicProblem('demo.clock.tick', 'exact'), '');
  assert.equal(topicProblem('demo..tick', 'wildcard'), '');
  assert.equal(topicProblem('demo.', 'prefix'), '');
  assert.match(topicProblem('', 'prefix'), /at least one word/);
  assert.match(topicProblem('.', 'prefix'), /at least one word/);
  assert.match(topicProblem('', 'wildcard'), /at least one word/);
  assert.match(topicProblem('..', 'wildcard'), /at least one word/);
  assert.match(topicProblem('demo..tick', 'prefix'), /empty part/);
  assert.equal(topicProblem('demo.clock', 'prefix'), '');
  assert.match(topicProblem('demo..tick', 'exact'), /empty part/);
  assert.match(topicProblem('demo.', 'exact'), /empty part/);
  assert.match(topicProblem('demo clock', 'wildcard'), /no spaces/);
  assert.match(topicProblem('demo.#', 'prefix'), /#/);
  assert.match(topicProblem('', 'exact'), /Enter a topic/);
});

test('a deadline settles a promise that never would', async () => {
  const never = new Promise(() => {});
  await assert.rejects(withDeadline(never, 20, () => new Error('late')), /late/);
  assert.equal(await withDeadline(Promise.resolve(7), 1000, () => new Error('late')), 7);
});

test('calls have a default timeout and a gateway never started rejects at once', async () => {
  const gateway = new Gateway({ url: 'ws://127.0.0.1:1/ws', realm: 'realm1' });
  assert.equal(gateway.timeout, DEFAULT_TIMEOUT_MS);
  assert.equal(DEFAULT_TIMEOUT_MS, 30000);
  assert.equal(routerUrl(where), 'ws://127.0.0.1:1/ws');
  assert.equal(new Gateway({ url: routerUrl(where), realm: 'r', timeout: 5 }).timeout, 5);
  const error = await gateway.call('demo.calc.add', [1, 2]).catch((e) => e);
  assert.ok(error instanceof WampError);
  assert.equal(error.uri, ERROR_NOT_CONNECTED);
  assert.match(error.message, /ws:\/\/127\.0\.0\.1:1\/ws/);
  assert.notEqual(ERROR_TIMEOUT, ERROR_NOT_CONNECTED);
});
