// The console page: catalog list, generated forms, results and history.
import { buildCall, cliCommand, fieldsOf, jsSnippet } from './forms.js';
import { breakAtDots, copyText, el, pretty, showConnection } from './ui.js';
import { Gateway } from './wamp.js';

const HISTORY_LIMIT = 50;
const gateway = new Gateway();
showConnection(gateway);

const $ = (id) => document.getElementById(id);
let catalog = [];
let selected = null;
let lastCall = null;
/** The AbortController of the call in flight: Cancel aborts it (the router cancels the call). */
let running = null;

function inputFor(field) {
  const id = `f-${field.name}`;
  const common = { id, name: field.name, 'aria-describedby': `${id}-hint ${id}-error` };
  if (field.kind === 'boolean') {
    return el('input', { ...common, type: 'checkbox', checked: field.default === true });
  }
  if (field.kind === 'number' || field.kind === 'integer') {
    return el('input', {
      ...common, type: 'text', inputmode: 'decimal', autocomplete: 'off',
      placeholder: field.default !== undefined ? String(field.default) : (field.kind === 'integer' ? 'e.g. 3' : 'e.g. 2.5'),
    });
  }
  if (field.kind === 'string') {
    return el('input', { ...common, type: 'text', autocomplete: 'off', placeholder: field.default ?? '' });
  }
  const example = field.kind === 'array' ? '[1, 2, 3]' : field.kind === 'object' ? '{"key": "value"}' : '"text", 42, [1, 2] or {"a": 1}';
  return el('textarea', { ...common, rows: 3, spellcheck: 'false', placeholder: example });
}

function renderForm(info) {
  const fields = fieldsOf(info);
  const box = $('fields');
  box.replaceChildren();
  if (!fields.length) box.append(el('p', { class: 'muted' }, 'This procedure takes no arguments.'));
  for (const field of fields) {
    const id = `f-${field.name}`;
    const label = el('label', { for: id },
      field.variadic ? (field.variadic === 'args' ? 'Positional arguments' : 'Keyword arguments') : field.name,
      field.required ? el('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null,
      ' ', el('span', { class: 'hint', id: `${id}-hint` },
        field.variadic ? `(JSON ${field.kind})` : `${field.type}${field.required ? ', required' : ', optional'}`));
    box.append(el('div', { class: 'field' }, label, inputFor(field), el('div', { class: 'error', id: `${id}-error`, role: 'alert' })));
  }
}

function readRaw(info) {
  const raw = {};
  for (const field of fieldsOf(info)) {
    const input = $(`f-${field.name}`);
    raw[field.name] = input.type === 'checkbox' ? input.checked : input.value;
  }
  return raw;
}

function showErrors(info, errors) {
  let first = null;
  for (const field of fieldsOf(info)) {
    const input = $(`f-${field.name}`);
    const message = errors[field.name] || '';
    $(`f-${field.name}-error`).textContent = message;
    input.setAttribute('aria-invalid', message ? 'true' : 'false');
    if (message && !first) first = input;
  }
  if (first) first.focus();
}

function select(info) {
  selected = info;
  for (const button of document.querySelectorAll('#procs button')) {
    button.setAttribute('aria-pressed', String(button.dataset.uri === info.uri));
  }
  $('call-title').textContent = info.uri;
  $('call-signature').textContent = info.signature || '';
  $('call-doc').textContent = info.doc || 'No description.';
  $('call-form').hidden = false;
  $('call-status').textContent = '';
  renderForm(info);
  history.replaceState(null, '', `#${encodeURIComponent(info.uri)}`);
}


function renderCatalog() {
  const filter = $('filter').value.trim().toLowerCase();
  const list = $('procs');
  const shown = catalog.filter((p) => !filter || p.uri.toLowerCase().includes(filter) || (p.doc || '').toLowerCase().includes(filter));
  list.replaceChildren(...shown.map((info) => el('li', {},
    el('button', { type: 'button', dataset: { uri: info.uri }, 'aria-pressed': String(selected?.uri === info.uri), onclick: () => select(info) },
      el('span', { class: 'uri' }, breakAtDots(info.uri)), el('span', { class: 'doc' }, info.doc || '')))));
  if (!shown.length) list.append(el('li', { class: 'muted' }, catalog.length ? 'Nothing matches.' : 'No procedures registered.'));
}

function showResult(ok, body) {
  const panel = $('result-panel');
  panel.hidden = false;
  panel.classList.toggle('ok', ok);
  panel.classList.toggle('bad', !ok);
  $('result').replaceChildren(...body);
}

/** Long values are shortened in the history; the result panel shows them whole. */
function clip(text, limit = 120) {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function addHistory(uri, args, kwargs, ok, outcome, ms) {
  const body = $('history');
  if (body.querySelector('td[colspan]')) body.replaceChildren();
  const argsText = JSON.stringify(Object.keys(kwargs).length ? { args, kwargs } : args);
  body.prepend(el('tr', {},
    el('td', { class: 'mono' }, uri),
    el('td', { class: 'mono', title: argsText }, clip(argsText)),
    el('td', {}, el('span', { class: `tag ${ok ? 'ok' : 'bad'}` }, ok ? 'ok' : 'error'), ' ', el('span', { class: 'mono' }, clip(outcome))),
    el('td', {}, `${ms.toFixed(1)} ms`)));
  while (body.children.length > HISTORY_LIMIT) body.lastElementChild.remove();
}

/** A progressive result: the latest one whole, and a bar when it says {done, total}. */
function showProgress(update, count) {
  $('progress-panel').hidden = false;
  const step = update?.meta ?? update;
  const bar = $('progress-bar');
  bar.hidden = !(Number.isFinite(step?.done) && Number.isFinite(step?.total) && step.total > 0);
  if (!bar.hidden) bar.value = step.done / step.total;
  $('progress-count').textContent = bar.hidden
    ? `${count} update${count === 1 ? '' : 's'} so far`
    : `${step.done} of ${step.total} done (${count} update${count === 1 ? '' : 's'})`;
  $('progress-value').textContent = pretty(update);
}

function showEquivalents(uri, args, kwargs) {
  lastCall = { cli: cliCommand(uri, args, kwargs), js: jsSnippet(uri, args, kwargs) };
  $('cli').textContent = lastCall.cli;
  $('js').textContent = lastCall.js;
  $('equiv-panel').hidden = false;
}

async function submit(event) {
  event.preventDefault();
  if (!selected) return;
  const info = selected;
  const { args, kwargs, errors } = buildCall(info, readRaw(info));
  showErrors(info, errors);
  if (Object.keys(errors).length) {
    $('call-status').textContent = 'Fix the marked fields; nothing was sent.';
    return;
  }
  showEquivalents(info.uri, args, kwargs);
  $('call-button').disabled = true;
  $('call-status').textContent = 'Calling…';
  $('progress-panel').hidden = true;
  $('result-panel').hidden = true;
  let updates = 0;
  const onProgress = (update) => {
    updates += 1;
    showProgress(update, updates);
  };
  running = new AbortController();
  $('cancel-button').hidden = false;
  try {
    const { value, ms } = await gateway.call(info.uri, args, kwargs, { onProgress, signal: running.signal });
    const seen = updates ? `, ${updates} progress update${updates === 1 ? '' : 's'} before it` : '';
    showResult(true, [el('pre', { id: 'result-value' }, pretty(value)), el('p', { class: 'muted' }, `${ms.toFixed(1)} ms round trip${seen}`)]);
    addHistory(info.uri, args, kwargs, true, JSON.stringify(value), ms);
    $('call-status').textContent = '';
  } catch (err) {
    showResult(false, [
      el('p', {}, 'Error ', el('span', { class: 'uri', id: 'result-error-uri' }, err.uri)),
      el('p', { id: 'result-error-message' }, err.text || 'no message'),
    ]);
    addHistory(info.uri, args, kwargs, false, err.uri, err.ms ?? 0);
    $('call-status').textContent = '';
  } finally {
    $('call-button').disabled = false;
    $('cancel-button').hidden = true;
    running = null;
  }
}

async function copy(which, button) {
  if (!lastCall) return;
  const ok = await copyText(lastCall[which]);
  button.textContent = ok ? 'Copied' : 'Select and copy';
  setTimeout(() => { button.textContent = 'Copy'; }, 1500);
}

async function loadCatalog() {
  try {
    catalog = await gateway.catalog();
  } catch (err) {
    $('procs').replaceChildren(el('li', { class: 'muted' }, `Cannot load the catalog: ${err.message}`));
    return;
  }
  renderCatalog();
  const wanted = decodeURIComponent(location.hash.slice(1));
  const initial = catalog.find((p) => p.uri === wanted);
  if (initial && !selected) select(initial);
}

$('filter').addEventListener('input', renderCatalog);
$('call-form').addEventListener('submit', submit);
$('cancel-button').addEventListener('click', () => running?.abort());
$('copy-cli').addEventListener('click', (e) => copy('cli', e.currentTarget));
$('copy-js').addEventListener('click', (e) => copy('js', e.currentTarget));
// Components may come and go: refresh the catalog on every (re)connect.
gateway.addEventListener('state', (e) => { if (e.detail.state === 'connected') loadCatalog(); });
gateway.start();
