// The dashboard: /metrics read every second into tiles, uPlot charts and
// tables; the journal's topics over WAMP every few seconds.
import { METRICS_PATH, isMeta, parseMetrics, rates, shortRate, snapshot } from './metrics.js';
import { HISTORY_TOPICS, journalSummary } from './journal.js';
import { breakAtDots, el, showConnection } from './ui.js';
import { CATALOG_LIST, Gateway } from './wamp.js';

const POLL_MS = 1000;
const JOURNAL_MS = 3000;
/** Points kept per chart: two minutes at one reading a second. */
const KEEP = 120;
const WINDOW_S = KEEP * (POLL_MS / 1000);
/** Readings the error share is taken over (ten seconds). */
const ERROR_WINDOW = 10;
const TOP_ROWS = 12;

const $ = (id) => document.getElementById(id);
const gateway = new Gateway();
showConnection(gateway);

const history = { t: [], published: [], delivered: [], calls: [], errors: [], sessions: [] };
const readings = [];
let charts = null;
/** Whether the journal answered last time; when not (and at first), the catalog is asked before it is called. */
let journalRegistered = false;

function series(label, stroke, fill) {
  return { label, stroke, width: 2, fill, points: { show: false }, value: (u, v) => (v == null ? '–' : shortRate(v)) };
}

function makeChart(id, lines) {
  const box = $(id);
  const options = {
    width: Math.max(200, box.clientWidth),
    height: 180,
    series: [{}, ...lines],
    axes: [{ stroke: '#5b6470', grid: { stroke: '#eef1f5' } }, { stroke: '#5b6470', grid: { stroke: '#eef1f5' }, size: 44 }],
    scales: {
      // From 30 s up to the whole window, so the first readings are not squeezed to one edge.
      x: { time: true, range: (u, min, max) => [max - Math.min(WINDOW_S, Math.max(30, max - min)), max] },
      y: { range: (u, min, max) => [0, Math.max(1, max * 1.15)] },
    },
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
  };
  return new uPlot(options, [[], ...lines.map(() => [])], box);
}

function makeCharts() {
  return {
    events: makeChart('c-events', [
      series('published/s', '#1f5fbf', 'rgba(31,95,191,.08)'),
      series('delivered/s', '#1a7f37'),
    ]),
    calls: makeChart('c-calls', [
      series('calls/s', '#1f5fbf', 'rgba(31,95,191,.08)'),
      series('errors/s', '#c62828'),
    ]),
    sessions: makeChart('c-sessions', [series('sessions', '#6d28d9', 'rgba(109,40,217,.08)')]),
  };
}

function resizeCharts() {
  if (!charts) return;
  for (const [name, chart] of Object.entries(charts)) {
    chart.setSize({ width: Math.max(200, $(`c-${name}`).clientWidth), height: 180 });
  }
}

function remember(now, r, sessions) {
  history.t.push(now / 1000);
  for (const key of ['published', 'delivered', 'calls', 'errors']) history[key].push(r[key]);
  history.sessions.push(sessions);
  for (const list of Object.values(history)) if (list.length > KEEP) list.shift();
  charts ||= makeCharts();
  charts.events.setData([history.t, history.published, history.delivered]);
  charts.calls.setData([history.t, history.calls, history.errors]);
  charts.sessions.setData([history.t, history.sessions]);
  for (const name of Object.keys(charts)) $(`c-${name}`).dataset.points = String(history.t.length);
}

function showTiles(now, r, errorShare) {
  $('t-published').textContent = shortRate(r.published);
  $('t-delivered').textContent = shortRate(r.delivered);
  $('t-calls').textContent = shortRate(r.calls);
  const errors = $('t-errors');
  errors.textContent = `${Number((100 * errorShare).toFixed(1))} %`;
  errors.classList.toggle('bad', errorShare > 0);
  $('t-errors-unit').textContent = `of calls, last ${ERROR_WINDOW} s · ${now.errors} in all`;
  $('t-sessions').textContent = String(now.sessions);
  const roles = [...now.roles].filter(([, n]) => n > 0).sort().map(([role, n]) => `${n} ${role}`);
  $('t-roles').textContent = roles.join(' · ') || 'connected';
}

function rowsOrEmpty(body, rows, empty) {
  body.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 4, class: 'muted' }, empty))]));
}

function showTopics(now, before) {
  const seconds = before ? (now.t - before.t) / 1000 : 0;
  const entries = [...now.topics].filter(([topic]) => !isMeta(topic));
  entries.sort((a, b) => b[1].delivered + b[1].published - (a[1].delivered + a[1].published));
  const rows = entries.slice(0, TOP_ROWS).map(([topic, n]) => {
    const prev = before && before.topics.get(topic);
    const rate = prev && seconds > 0 ? Math.max(0, n.delivered - prev.delivered) / seconds : 0;
    return el('tr', { dataset: { topic } },
      el('td', {}, breakAtDots(topic)),
      el('td', { class: 'num', 'data-role': 'published' }, String(n.published)),
      el('td', { class: 'num', 'data-role': 'delivered' }, String(n.delivered)),
      el('td', { class: 'num' }, shortRate(rate)));
  });
  rowsOrEmpty($('topics'), rows, 'Nothing published yet.');
}

function showProcedures(now) {
  const entries = [...now.procedures].sort((a, b) => b[1].calls - a[1].calls).slice(0, TOP_ROWS);
  const rows = entries.map(([uri, p]) => el('tr', { dataset: { procedure: uri } },
    el('td', {}, breakAtDots(uri)),
    el('td', { class: 'num', 'data-role': 'calls' }, String(p.calls)),
    el('td', { class: `num${p.errors ? ' bad-text' : ''}`, 'data-role': 'errors' }, String(p.errors)),
    el('td', { class: 'num' }, p.meanMs == null ? '–' : `${p.meanMs.toFixed(1)} ms`)));
  rowsOrEmpty($('procs'), rows, 'No calls yet.');
}

async function poll() {
  let text;
  try {
    const response = await fetch(METRICS_PATH, { cache: 'no-store' });
    if (!response.ok) throw new Error(`${METRICS_PATH} answered ${response.status}`);
    text = await response.text();
  } catch (err) {
    $('banner').textContent = `Cannot read ${METRICS_PATH}: ${err.message || err}`;
    $('banner').hidden = false;
    return;
  }
  $('banner').hidden = true;
  const now = snapshot(parseMetrics(text), Date.now());
  const last = readings.at(-1);
  readings.push(now);
  if (readings.length > ERROR_WINDOW + 1) readings.shift();
  if (last) {
    const r = rates(last, now);
    showTiles(now, r, rates(readings[0], now).errorShare);
    remember(now.t, r, now.sessions);
  }
  showTopics(now, last);
  showProcedures(now);
}

function journalOff(text, tile) {
  $('journal-state').textContent = text;
  $('journal-table').hidden = true;
  $('t-journal').textContent = tile;
  $('t-journal-unit').textContent = text;
}

/** Asks the catalog (which always answers) whether the journal is registered now. */
async function journalIsRegistered() {
  const entries = (await gateway.call(CATALOG_LIST, [], {}, { timeout: 5000 })).value;
  return entries.some((e) => e.uri === HISTORY_TOPICS);
}

async function pollJournal() {
  const state = $('journal-state');
  let summary;
  try {
    // Calling a procedure nobody registered is an error in /metrics: ask the catalog first.
    if (!journalRegistered && !(await journalIsRegistered())) {
      journalOff('journal not running', 'off');
      return;
    }
    summary = journalSummary((await gateway.call(HISTORY_TOPICS, [], {}, { timeout: 5000 })).value);
    journalRegistered = true;
  } catch (err) {
    journalRegistered = false;
    const missing = /no_such_procedure/.test(err.uri || '');
    journalOff(missing ? 'journal not running' : `The journal did not answer: ${err.message}`, missing ? 'off' : '?');
    return;
  }
  $('t-journal').textContent = shortRate(summary.stored);
  $('t-journal-unit').textContent = `events stored · ${summary.topics.length} topics · newest ${summary.lag} ago`;
  state.textContent = summary.topics.length
    ? `${summary.stored} events stored on ${summary.topics.length} topics.`
    : 'The journal is running; nothing is stored yet.';
  $('journal-table').hidden = summary.topics.length === 0;
  $('journal').replaceChildren(...summary.topics.slice(0, TOP_ROWS).map((t) => el('tr', { dataset: { topic: t.topic } },
    el('td', {}, breakAtDots(t.topic)),
    el('td', { class: 'num', 'data-role': 'stored' }, String(t.count)),
    el('td', { class: 'num' }, t.seq),
    el('td', { class: 'num', 'data-role': 'lag' }, t.lag))));
}

gateway.start();
poll();
setInterval(poll, POLL_MS);
pollJournal();
setInterval(pollJournal, JOURNAL_MS);
window.addEventListener('resize', resizeCharts);
