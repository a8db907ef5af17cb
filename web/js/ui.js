// Small DOM helpers shared by the pages. Data from the wire is only ever
// inserted as text (textContent), never as HTML.

/** Create an element: el('button', {class: 'x', onclick: f}, 'text', child). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(key, '');
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A URI as text with line-break chances after its dots only. */
export function breakAtDots(uri) {
  return uri.split(/(?<=\.)/).flatMap((part, i) => (i ? [el('wbr'), part] : [part]));
}

export function pretty(value) {
  return JSON.stringify(value, null, 2);
}

const LABELS = {
  connecting: 'connecting…',
  connected: 'live',
  reconnecting: 'reconnecting…',
  closed: 'disconnected',
};

/** Keep the header badge in step with the gateway's connection state. */
export function showConnection(gateway, badge = document.getElementById('conn')) {
  const render = ({ state, reconnects }) => {
    badge.dataset.state = state;
    badge.textContent = state === 'connected' && reconnects > 0 ? 'live again' : LABELS[state];
    badge.title = `${gateway.url} (realm ${gateway.realm})`;
  };
  render({ state: gateway.state, reconnects: 0 });
  gateway.addEventListener('state', (event) => render(event.detail));
}

/** Copy text; returns whether it worked (clipboard needs a secure context). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
