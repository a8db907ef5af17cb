// The live topics page: several subscriptions, a capped newest-first event
// list with pause/resume/clear, counters and events per second.
import { el, pretty, showConnection } from './ui.js';
import { Gateway, topicProblem } from './wamp.js';

const MAX_EVENTS = 200;
const RATE_WINDOW_MS = 5000;

const gateway = new Gateway();
showConnection(gateway);
const $ = (id) => document.getElementById(id);

let paused = false;
let pending = [];
let shown = 0;
let nextId = 1;
const subs = new Map();

function time(date) {
  return date.toLocaleTimeString([], { hour12: false }) + '.' + String(date.getMilliseconds()).padStart(3, '0');
}

function payloadOf(event) {
  if (event.args.length === 1 && !Object.keys(event.kwargs).length) return event.args[0];
  return Object.keys(event.kwargs).length ? { args: event.args, kwargs: event.kwargs } : event.args;
}

function renderEvent(entry) {
  const list = $('events');
  const { event } = entry;
  list.prepend(el('li', { class: event.recovered ? 'recovered' : null, dataset: event.seq === null ? {} : { seq: event.seq } },
    el('div', { class: 'meta' },
      el('span', { class: 'topic' }, event.topic),
      event.seq === null ? '' : el('span', { 'data-role': 'seq' }, `#${event.seq}`),
      event.recovered ? el('span', { class: 'tag warn', title: 'missed while disconnected, fetched from the journal' }, 'recovered') : '',
      el('time', { datetime: event.received.toISOString() }, time(event.received)),
      el('span', {}, `via ${entry.sub.label}`)),
    el('pre', {}, pretty(payloadOf(entry.event)))));
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
  shown = list.children.length;
  $('event-count').textContent = `(${shown} shown, newest first, at most ${MAX_EVENTS})`;
}

function onEvent(sub, event) {
  sub.count += 1;
  sub.times.push(performance.now());
  if (sub.stats) showStats(sub);
  if (sub.paused) return;
  const entry = { sub, event };
  if (paused) {
    pending.push(entry);
    if (pending.length > MAX_EVENTS) pending.shift();
    $('paused-note').textContent = `Paused: ${pending.length} event(s) waiting.`;
  } else {
    renderEvent(entry);
  }
}

function showStats(sub, now = performance.now()) {
  sub.times = sub.times.filter((t) => now - t <= RATE_WINDOW_MS);
  const rate = sub.times.length / (RATE_WINDOW_MS / 1000);
  sub.stats.textContent = `${sub.count} event(s) · ${rate.toFixed(1)}/s${sub.paused ? ' · paused' : ''}`;
}

// Rates decay while a topic is quiet, so refresh them every second too.
function updateStats() {
  for (const sub of subs.values()) showStats(sub);
}

function addSubscriptionView(sub) {
  $('no-subs').hidden = true;
  sub.stats = el('span', { class: 'stats', 'data-role': 'stats' }, '0 event(s) · 0.0/s');
  const pauseButton = el('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false' }, 'Pause');
  pauseButton.addEventListener('click', () => {
    sub.paused = !sub.paused;
    pauseButton.textContent = sub.paused ? 'Resume' : 'Pause';
    pauseButton.setAttribute('aria-pressed', String(sub.paused));
    updateStats();
  });
  const remove = el('button', { type: 'button', class: 'secondary', 'aria-label': `Unsubscribe from ${sub.label}` }, 'Unsubscribe');
  remove.addEventListener('click', async () => {
    await sub.handle.close();
    subs.delete(sub.id);
    sub.view.remove();
    $('no-subs').hidden = subs.size > 0;
  });
  sub.view = el('div', { class: 'sub', dataset: { topic: sub.topic, match: sub.match } },
    el('div', { class: 'head' }, el('span', { class: 'topic' }, sub.topic), el('span', { class: 'tag' }, sub.match)),
    el('div', { class: 'row' }, sub.stats, pauseButton, remove));
  $('subs').append(sub.view);
}

async function subscribe(event) {
  event.preventDefault();
  const topic = $('topic').value.trim();
  const match = $('match').value;
  const problem = topicProblem(topic, match);
  $('topic-error').textContent = problem;
  $('topic').setAttribute('aria-invalid', problem ? 'true' : 'false');
  if (problem) return;
  const sub = { id: nextId++, topic, match, label: match === 'exact' ? topic : `${topic} (${match})`, count: 0, times: [], paused: false };
  try {
    // Exact topics catch up from the journal after a reconnect (a topic it does not keep has nothing to fetch).
    sub.handle = await gateway.subscribe(topic, match, (e) => onEvent(sub, e), { recover: match === 'exact' });
  } catch (err) {
    $('topic-error').textContent = `${err.uri}: ${err.text}`;
    return;
  }
  subs.set(sub.id, sub);
  addSubscriptionView(sub);
}

let bannerTimer = null;
gateway.addEventListener('state', ({ detail }) => {
  const banner = $('banner');
  clearTimeout(bannerTimer);
  if (detail.state === 'reconnecting') {
    banner.className = 'banner warn';
    banner.textContent = 'Connection to the router lost — reconnecting… Subscriptions come back on their own.';
    banner.hidden = false;
  } else if (detail.state === 'connected' && detail.reconnects > 0) {
    banner.className = 'banner ok';
    let recovered = 0;
    for (const sub of subs.values()) {
      recovered += sub.handle.recovered - (sub.recoveredBefore || 0);
      sub.recoveredBefore = sub.handle.recovered;
    }
    banner.textContent = `Live again: ${subs.size} subscription(s) restored`
      + (recovered ? `, ${recovered} missed event(s) recovered from the journal.` : '.');
    banner.hidden = false;
    bannerTimer = setTimeout(() => { banner.hidden = true; }, 10000);
  }
});

// Publishing: a second session, logged in as a named user.
let publisher = null;

function showPublisher(signedIn) {
  $('login-form').hidden = signedIn;
  $('pub-form').hidden = !signedIn;
}

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const authid = $('login-user').value.trim();
  const password = $('login-password').value;
  $('login-error').textContent = authid && password ? '' : 'Enter your user name and password.';
  if (!authid || !password) return;
  if (publisher) publisher.stop();
  publisher = new Gateway({ authid, password });
  publisher.addEventListener('state', ({ detail }) => {
    if (detail.state === 'connected') {
      $('pub-who').textContent = `Signed in as ${publisher.identity.authid} (role ${publisher.identity.authrole}).`;
      $('login-password').value = '';
      showPublisher(true);
    } else if (detail.state === 'closed' && publisher && publisher.lastError) {
      $('login-error').textContent = publisher.loginRefused
        ? 'Sign-in refused: wrong user name or password.'
        : `Sign-in refused: ${publisher.lastError}`;
      showPublisher(false);
    }
  });
  publisher.start();
});

$('logout').addEventListener('click', () => {
  if (publisher) publisher.stop();
  publisher = null;
  $('pub-who').textContent = 'Signed out.';
  showPublisher(false);
});

$('pub-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const topic = $('pub-topic').value.trim();
  let payload;
  try {
    payload = JSON.parse($('pub-payload').value);
  } catch (err) {
    $('pub-error').textContent = `Not valid JSON: ${err.message}`;
    return;
  }
  $('pub-error').textContent = topicProblem(topic, 'exact');
  if ($('pub-error').textContent) return;
  try {
    await publisher.publish(topic, [payload]);
    $('pub-status').textContent = `Published to ${topic}.`;
  } catch (err) {
    $('pub-error').textContent = `${err.uri}: ${err.text}`;
    $('pub-status').textContent = '';
  }
});

$('sub-form').addEventListener('submit', subscribe);
$('pause').addEventListener('click', (e) => {
  paused = !paused;
  e.currentTarget.textContent = paused ? 'Resume' : 'Pause';
  e.currentTarget.setAttribute('aria-pressed', String(paused));
  $('paused-note').hidden = !paused;
  $('paused-note').textContent = 'Paused: 0 event(s) waiting.';
  if (!paused) {
    pending.forEach(renderEvent);
    pending = [];
  }
});
$('clear').addEventListener('click', () => {
  $('events').replaceChildren();
  pending = [];
  $('event-count').textContent = '';
});
setInterval(updateStats, 1000);
gateway.start();
