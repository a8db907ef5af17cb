// Where the gateway is and what a topic may look like. Pure.

/** ws(s)://<same host and port>/ws, from the page's own location. */
export function routerUrl(loc = globalThis.location) {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}/ws`;
}

/** The realm: ?realm=... in the page URL, else realm1. */
export function realmFrom(loc = globalThis.location) {
  return new URLSearchParams(loc.search).get('realm') || 'realm1';
}

/**
 * Topic rules per match kind, as the router applies them: words without
 * spaces, dots or #, joined by dots; a prefix may end in a dot, a wildcard
 * pattern may leave any word empty. Returns '' when `topic` is fine.
 */
export function topicProblem(topic, match = 'exact') {
  if (/[\s#]/.test(topic)) return 'A topic has no spaces and no #.';
  if (!topic && match === 'exact') return 'Enter a topic URI.';
  const words = topic.split('.');
  if (!words.some(Boolean)) return `A ${match} pattern needs at least one word, e.g. demo.clock.`;
  if (match === 'wildcard') return '';
  if (match === 'prefix') {
    return words.slice(0, -1).includes('')
      ? 'A prefix has no empty part before its end (a..b): choose Match=wildcard for patterns.'
      : '';
  }
  return words.includes('')
    ? 'An exact topic has no empty part (a..b or a trailing dot): choose Match=prefix or wildcard for patterns.'
    : '';
}
