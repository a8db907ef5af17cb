// Pure logic behind the console's generated forms: JSON Schema -> fields,
// raw input -> validated call arguments, and the equivalent CLI / JS code.
// The words for types come with the catalog (`arguments`, `signature`), made
// by the gateway; only the form is derived here. No DOM here, so Node's test
// runner checks it directly.

const SIMPLE = new Set(['number', 'integer', 'string', 'boolean', 'array', 'object']);

/** The input kind for a JSON Schema: a simple type, or 'json' for anything else. */
export function kindOf(schema = {}) {
  return SIMPLE.has(schema.type) ? schema.type : 'json';
}

/**
 * The form fields of a catalog entry, in the procedure's order. `type` is
 * the catalog's text for the argument; `byName` marks keyword-only ones.
 */
export function fieldsOf(info) {
  const params = info.params || {};
  const props = params.properties || {};
  const required = new Set(params.required || []);
  const positional = new Set(info.positional || []);
  const served = new Map((info.arguments || []).map((arg) => [arg.name, arg.type]));
  const fields = Object.keys(props).map((name) => {
    const schema = props[name] || {};
    return {
      name, schema, kind: kindOf(schema), type: served.get(name) || 'any JSON',
      required: required.has(name), default: schema.default, byName: !positional.has(name),
    };
  });
  const variadic = params['x-variadic'] || {};
  if (variadic.args) {
    fields.push({ name: 'args', schema: { type: 'array' }, kind: 'array', required: false, variadic: 'args' });
  }
  if (variadic.kwargs) {
    fields.push({ name: 'kwargs', schema: { type: 'object' }, kind: 'object', required: false, variadic: 'kwargs' });
  }
  return fields;
}

function checkType(schema, value, path) {
  const type = schema.type;
  const fail = (what) => `${path}: expected ${what}, got ${JSON.stringify(value)}`;
  if (!type) return null;
  if (type === 'number' && (typeof value !== 'number' || !Number.isFinite(value))) return fail('a number');
  if (type === 'integer' && !Number.isInteger(value)) return fail('an integer');
  if (type === 'string' && typeof value !== 'string') return fail('a string');
  if (type === 'boolean' && typeof value !== 'boolean') return fail('true or false');
  if (type === 'object' && (value === null || typeof value !== 'object' || Array.isArray(value))) return fail('a JSON object');
  if (type === 'array') {
    if (!Array.isArray(value)) return fail('a JSON array');
    if (schema.items) {
      for (let i = 0; i < value.length; i += 1) {
        const problem = checkType(schema.items, value[i], `${path}[${i}]`);
        if (problem) return problem;
      }
    }
  }
  return null;
}

/**
 * Parse one field's raw input. Returns {value}, {empty: true} or {error}.
 * raw is a string (text inputs) or a boolean (checkboxes).
 */
export function parseField(field, raw) {
  if (field.kind === 'boolean') return { value: Boolean(raw) };
  const text = String(raw ?? '');
  if (text.trim() === '' && !(field.kind === 'string' && field.required && text !== '')) {
    if (field.kind === 'string' && !field.required) return { empty: true };
    return field.required ? { error: `${field.name} is required` } : { empty: true };
  }
  let value;
  if (field.kind === 'number' || field.kind === 'integer') {
    value = Number(text.trim());
    if (!Number.isFinite(value)) return { error: `${field.name}: "${text}" is not a number` };
  } else if (field.kind === 'string') {
    value = text;
  } else {
    try {
      value = JSON.parse(text);
    } catch {
      return { error: `${field.name}: not valid JSON (e.g. ${field.kind === 'array' ? '[1, 2, 3]' : field.kind === 'object' ? '{"key": 1}' : '"text" or 42'})` };
    }
  }
  const problem = checkType(field.schema, value, field.name);
  return problem ? { error: problem } : { value };
}

/**
 * Turn raw inputs (by field name) into WAMP arguments. Values go by position
 * up to the first field left empty, by name after it.
 * Returns {args, kwargs, errors} where errors maps field name -> message.
 */
export function buildCall(info, raw) {
  const args = [];
  const kwargs = {};
  const errors = {};
  let positional = true;
  for (const field of fieldsOf(info)) {
    const parsed = parseField(field, raw[field.name]);
    if (parsed.error) {
      errors[field.name] = parsed.error;
    } else if (parsed.empty) {
      positional = false;
    } else if (field.variadic === 'args') {
      if (positional) args.push(...parsed.value);
      else errors[field.name] = 'extra positional values need every argument before them';
    } else if (field.variadic === 'kwargs') {
      Object.assign(kwargs, parsed.value);
    } else if (positional && !field.byName) {
      args.push(parsed.value);
    } else {
      kwargs[field.name] = parsed.value;
    }
  }
  return { args, kwargs, errors };
}

/** Quote a word for a POSIX shell when it needs it. */
export function shellQuote(word) {
  return /^[A-Za-z0-9_.,:/=+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

function cliValue(value) {
  // The CLI parses a value as JSON when it can: strings that would parse
  // as something else are passed JSON-quoted.
  if (typeof value === 'string') {
    try {
      JSON.parse(value);
      return JSON.stringify(value);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value);
}

/** The equivalent `wampgate call` command line. */
export function cliCommand(uri, args = [], kwargs = {}) {
  const words = ['wampgate', 'call', uri, ...args.map(cliValue)];
  for (const [key, value] of Object.entries(kwargs)) words.push('-k', `${key}=${cliValue(value)}`);
  return words.map(shellQuote).join(' ');
}

/** The equivalent call with autobahn-browser, for a page of your own. */
export function jsSnippet(uri, args = [], kwargs = {}) {
  const extra = Object.keys(kwargs).length ? `, ${JSON.stringify(kwargs)}` : '';
  return `const result = await session.call(${JSON.stringify(uri)}, ${JSON.stringify(args)}${extra});`;
}
