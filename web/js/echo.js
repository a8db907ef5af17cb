// The echo page: a plain WebSocket to /echo, round-trip times, nothing else.
import { el, pretty } from './ui.js';

const $ = (id) => document.getElementById(id);
const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
const url = `${scheme}://${location.host}/echo`;
$('echo-url').textContent = url;

let socket = null;
const inflight = [];

function setState(state, label) {
  const badge = $('conn');
  badge.dataset.state = state;
  badge.textContent = label;
  badge.title = url;
  $('send').disabled = state !== 'connected';
  $('reconnect').hidden = state !== 'closed';
}

function connect() {
  setState('connecting', 'connecting…');
  socket = new WebSocket(url);
  socket.addEventListener('open', () => setState('connected', 'connected'));
  socket.addEventListener('close', (e) => setState('closed', `closed (${e.code})`));
  socket.addEventListener('message', (e) => {
    const sent = inflight.shift();
    const ms = sent ? performance.now() - sent.at : NaN;
    const same = sent && sent.text === e.data;
    let body = e.data;
    if (sent && sent.mode === 'json') {
      try { body = pretty(JSON.parse(e.data)); } catch { /* shown as sent */ }
    }
    $('log').prepend(el('li', { class: 'reply' },
      el('div', { class: 'meta' },
        el('span', { class: `tag ${same ? 'ok' : 'bad'}` }, same ? 'echoed unchanged' : 'differs'),
        el('span', { class: 'rtt' }, `${ms.toFixed(2)} ms round trip`),
        el('span', {}, `${new Blob([e.data]).size} bytes`)),
      el('pre', {}, body)));
  });
}

function send(event) {
  event.preventDefault();
  const text = $('message').value;
  const mode = $('mode').value;
  let problem = '';
  if (mode === 'json') {
    try { JSON.parse(text); } catch (err) { problem = `Not valid JSON: ${err.message}`; }
  }
  $('message-error').textContent = problem;
  $('message').setAttribute('aria-invalid', problem ? 'true' : 'false');
  if (problem || !socket || socket.readyState !== WebSocket.OPEN) return;
  inflight.push({ text, mode, at: performance.now() });
  socket.send(text);
}

$('send-form').addEventListener('submit', send);
$('message').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) $('send-form').requestSubmit();
});
$('reconnect').addEventListener('click', connect);
$('clear').addEventListener('click', () => $('log').replaceChildren());
connect();
