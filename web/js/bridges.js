// The bridges page: every joined bridge's state, refreshed every two seconds.
import { el, showConnection } from './ui.js';
import { CATALOG_LIST, Gateway } from './wamp.js';

const STATE_PREFIX = 'wampgate.bridge.state.';
const REFRESH_MS = 2000;

const gateway = new Gateway();
showConnection(gateway);
const $ = (id) => document.getElementById(id);

/** The state procedures registered now (one per bridge), from the catalog (the meta API is admin-only). */
async function stateProcedures() {
  const entries = (await gateway.call(CATALOG_LIST)).value;
  return entries.map((e) => e.uri).filter((uri) => uri.startsWith(STATE_PREFIX)).sort();
}

function card(state) {
  const counts = state.counts || {};
  const rates = state.rates || {};
  return el('article', { class: 'sub', 'data-bridge': state.name },
    el('div', { class: 'meta' },
      el('strong', {}, state.name),
      el('span', { class: 'tag' }, state.kind),
      el('span', { class: `tag ${state.broker === 'connected' ? 'ok' : 'bad'}`, 'data-role': 'broker' }, state.broker)),
    state.error ? el('p', { class: 'muted', 'data-role': 'error' }, state.error) : '',
    el('ul', { 'data-role': 'mappings' }, ...state.mappings.map((m) => el('li', {}, el('code', {}, m)))),
    el('p', { 'data-role': 'rates' },
      `to WAMP ${rates.to_wamp ?? 0}/s (${counts.to_wamp ?? 0}) · from WAMP ${rates.from_wamp ?? 0}/s (${counts.from_wamp ?? 0})`
      + ` · dropped ${counts.dropped ?? 0} · reconnects ${state.reconnects ?? 0}`));
}

async function refresh() {
  try {
    const uris = await stateProcedures();
    const states = await Promise.all(uris.map((uri) => gateway.call(uri).then((r) => r.value)));
    $('bridges').replaceChildren(...states.map(card));
    $('no-bridges').hidden = states.length > 0;
    $('bridges-error').textContent = '';
  } catch (err) {
    $('bridges-error').textContent = err.message || String(err);
  }
}

gateway.start();
refresh();
setInterval(refresh, REFRESH_MS);
