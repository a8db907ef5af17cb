// The archive page: a journaled topic's events page by page, oldest first,
// narrowed to a time span, exported as JSON lines.
import { HISTORY_GET, HISTORY_TOPICS, jsonLines, localToIso, shownTime } from './journal.js';
import { el, pretty, showConnection } from './ui.js';
import { Gateway } from './wamp.js';

/** Events asked for per call while exporting (the journal's largest page). */
const EXPORT_PAGE = 1000;
/** An export stops here rather than fill the browser's memory. */
const EXPORT_MAX = 100000;

const $ = (id) => document.getElementById(id);
const gateway = new Gateway();
showConnection(gateway);

let stats = new Map();
/** The query shown now, and the `after` of every page up to the current one. */
let query = null;
let starts = [];
let shown = [];

function payloadOf(e) {
  const args = e.args || [];
  const kwargs = e.kwargs || {};
  if (args.length === 1 && !Object.keys(kwargs).length) return args[0];
  return Object.keys(kwargs).length ? { args, kwargs } : args;
}

/** One line when it is short, indented when it is not. */
function shownPayload(value) {
  const line = JSON.stringify(value);
  return line.length <= 80 ? line : pretty(value);
}

async function history(q, after, limit) {
  const kwargs = { limit };
  if (after !== null) kwargs.after = after;
  if (q.since) kwargs.since = q.since;
  if (q.until) kwargs.until = q.until;
  return (await gateway.call(HISTORY_GET, [q.topic], kwargs)).value;
}

function showTopicInfo() {
  const t = stats.get($('topic').value);
  $('topic-info').textContent = t
    ? `${t.count} events, seq ${t.first_seq}–${t.last_seq}, ${shownTime(t.first_time)} to ${shownTime(t.last_time)} UTC`
    : '';
}

async function loadTopics() {
  try {
    const topics = (await gateway.call(HISTORY_TOPICS)).value;
    stats = new Map(topics.map((t) => [t.topic, t]));
  } catch (err) {
    $('banner').textContent = /no_such_procedure/.test(err.uri || '') ? 'journal not running' : err.message;
    $('banner').hidden = false;
    $('topic').replaceChildren(el('option', { value: '' }, 'none'));
    return;
  }
  const wanted = new URLSearchParams(location.search).get('topic');
  const options = [...stats.values()].sort((a, b) => a.topic.localeCompare(b.topic))
    .map((t) => el('option', { value: t.topic, selected: t.topic === wanted }, `${t.topic} (${t.count})`));
  $('topic').replaceChildren(...(options.length ? options : [el('option', { value: '' }, 'nothing journaled yet')]));
  showTopicInfo();
}

function readQuery() {
  const q = {
    topic: $('topic').value,
    since: localToIso($('since').value),
    until: localToIso($('until').value),
    limit: Number($('page-size').value),
  };
  const wrong = q.since && q.until && q.until <= q.since;
  $('time-error').textContent = wrong ? '"Until" must be later than "From".' : '';
  $('until').setAttribute('aria-invalid', wrong ? 'true' : 'false');
  return q.topic && !wrong ? q : null;
}

function render(events, page) {
  shown = events;
  const rows = events.map((e) => el('tr', { dataset: { seq: e.seq } },
    el('td', { class: 'num' }, String(e.seq)),
    el('td', {}, el('time', { datetime: e.time }, shownTime(e.time))),
    el('td', {}, el('pre', {}, shownPayload(payloadOf(e))))));
  const empty = page ? 'No more events.' : 'No events in this span.';
  $('events').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 3, class: 'muted' }, empty))]));
  $('range').textContent = events.length
    ? `#${events[0].seq}–#${events.at(-1).seq} · page ${page + 1}`
    : `page ${page + 1}`;
  $('prev').disabled = page === 0;
  $('first').disabled = page === 0;
  $('next').disabled = events.length < query.limit;
}

async function showPage(after) {
  try {
    render(await history(query, after, query.limit), starts.length - 1);
    $('banner').hidden = true;
  } catch (err) {
    $('banner').textContent = err.message;
    $('banner').hidden = false;
  }
}

$('pick-form').addEventListener('submit', (event) => {
  event.preventDefault();
  query = readQuery();
  if (!query) return;
  starts = [null];
  showPage(null);
});
$('next').addEventListener('click', () => {
  if (!query || !shown.length) return;
  starts.push(shown.at(-1).seq);
  showPage(starts.at(-1));
});
$('prev').addEventListener('click', () => {
  if (!query || starts.length < 2) return;
  starts.pop();
  showPage(starts.at(-1));
});
$('first').addEventListener('click', () => {
  if (!query) return;
  starts = [null];
  showPage(null);
});
$('topic').addEventListener('change', showTopicInfo);

$('export').addEventListener('click', async () => {
  const q = readQuery();
  if (!q) return;
  const status = $('export-status');
  const events = [];
  try {
    for (let after = null; events.length < EXPORT_MAX;) {
      const page = await history(q, after, EXPORT_PAGE);
      events.push(...page);
      status.textContent = `${events.length} events read…`;
      if (page.length < EXPORT_PAGE) break;
      after = page.at(-1).seq;
    }
  } catch (err) {
    status.textContent = `Export failed: ${err.message}`;
    return;
  }
  const url = URL.createObjectURL(new Blob([jsonLines(events)], { type: 'application/x-ndjson' }));
  const link = el('a', { href: url, download: `${q.topic}.jsonl` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  status.textContent = `Exported ${events.length} events${events.length >= EXPORT_MAX ? ' (the first ones; narrow the span for the rest)' : ''}.`;
});

$('prev').disabled = true;
$('first').disabled = true;
$('next').disabled = true;
gateway.start();
loadTopics();
