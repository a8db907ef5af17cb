// node --test web/test: the console's form logic.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { buildCall, cliCommand, fieldsOf, jsSnippet, parseField } from '../js/forms.js';

const add = {
  uri: 'demo.calc.add',
  positional: ['a', 'b'],
  params: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
};
const xsum = {
  uri: 'demo.calc.xsum',
  positional: ['numbers'],
  params: { type: 'object', properties: { numbers: { type: 'array', items: { type: 'number' } } }, required: ['numbers'] },
  arguments: [{ name: 'numbers', type: 'array of number', required: true, default: null }],
};
const greet = {
  uri: 'x.greet',
  positional: ['name', 'times', 'loud'],
  params: {
    type: 'object',
    properties: { name: { type: 'string' }, times: { type: 'integer', default: 1 }, loud: { type: 'boolean', default: false } },
    required: ['name'],
  },
};
const echo = { uri: 'demo.echo', positional: [], params: { type: 'object', properties: {}, 'x-variadic': { args: true, kwargs: true } } };

test('fields follow the positional order with kinds and required marks', () => {
  assert.deepEqual(fieldsOf(greet).map((f) => [f.name, f.kind, f.required]), [
    ['name', 'string', true], ['times', 'integer', false], ['loud', 'boolean', false],
  ]);
  assert.deepEqual(fieldsOf(echo).map((f) => f.variadic), ['args', 'kwargs']);
});

test('type words come from the catalog, not from the schema', () => {
  assert.equal(fieldsOf(xsum)[0].type, 'array of number');
  const served = { ...xsum, arguments: [{ name: 'numbers', type: 'list of figures', required: true, default: null }] };
  assert.equal(fieldsOf(served)[0].type, 'list of figures');
  assert.equal(fieldsOf(add)[0].type, 'any JSON'); // an entry without text says so, never guesses
});

test('keyword-only arguments always go by name', () => {
  const shout = {
    uri: 'x.shout',
    positional: ['name'],
    params: { type: 'object', properties: { name: { type: 'string' }, loud: { type: 'boolean', default: false } }, required: ['name'] },
  };
  assert.deepEqual(buildCall(shout, { name: 'ann', loud: true }), { args: ['ann'], kwargs: { loud: true }, errors: {} });
});

test('numbers are parsed and checked', () => {
  assert.deepEqual(buildCall(add, { a: '2', b: '3' }), { args: [2, 3], kwargs: {}, errors: {} });
  assert.match(buildCall(add, { a: 'x', b: '3' }).errors.a, /not a number/);
  assert.match(buildCall(add, { a: '', b: '3' }).errors.a, /required/);
  assert.match(parseField(fieldsOf(greet)[1], '1.5').error, /an integer/);
});

test('arrays are JSON with typed items', () => {
  assert.deepEqual(buildCall(xsum, { numbers: '[1, 2.5]' }).args, [[1, 2.5]]);
  assert.match(buildCall(xsum, { numbers: '[1, "a"]' }).errors.numbers, /numbers\[1\]: expected a number/);
  assert.match(buildCall(xsum, { numbers: '1, 2' }).errors.numbers, /not valid JSON/);
});

test('values after an empty optional field go by name', () => {
  assert.deepEqual(buildCall(greet, { name: 'ann', times: '', loud: true }), {
    args: ['ann'], kwargs: { loud: true }, errors: {},
  });
});

test('variadic procedures take JSON args and kwargs', () => {
  assert.deepEqual(buildCall(echo, { args: '[1, "two"]', kwargs: '{"k": null}' }), {
    args: [1, 'two'], kwargs: { k: null }, errors: {},
  });
});

test('CLI command and JS snippet', () => {
  assert.equal(cliCommand('demo.calc.add', [2, 3]), 'wampgate call demo.calc.add 2 3');
  assert.equal(cliCommand('demo.calc.xsum', [[1, 2]]), "wampgate call demo.calc.xsum '[1,2]'");
  assert.equal(cliCommand('x.greet', ['ann', '42'], { loud: true }), "wampgate call x.greet ann '\"42\"' -k loud=true");
  assert.equal(cliCommand('x.s', ["it's"]), "wampgate call x.s 'it'\\''s'");
  assert.equal(jsSnippet('demo.calc.add', [2, 3]), 'const result = await session.call("demo.calc.add", [2,3]);');
});
