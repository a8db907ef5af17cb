// A Node client for wampgate: call a procedure, then follow a live topic.
//   node web/node/example.mjs [ws://127.0.0.1:8080/ws] [ticks]
// Uses Wampy (npm), a WAMP client that runs on Node 20.
import { Wampy } from 'wampy';
import WebSocket from 'ws';

const url = process.argv[2] || process.env.WAMPGATE_URL || 'ws://127.0.0.1:8080/ws';
const ticks = Number(process.argv[3] || 3);
const wampy = new Wampy(url, { realm: process.env.WAMPGATE_REALM || 'realm1', ws: WebSocket, autoReconnect: false });

try {
  await wampy.connect();
} catch (err) {
  console.error(`cannot connect to ${url}: ${err.message}`);
  process.exit(3);
}

const sum = await wampy.call('demo.calc.add', [2, 3]);
console.log(`demo.calc.add(2, 3) = ${sum.argsList[0]}`);

let seen = 0;
await new Promise((resolve) => {
  wampy.subscribe('demo.clock.tick', ({ argsList: [tick] }) => {
    console.log(`tick ${tick.seq} at ${tick.time}`);
    seen += 1;
    if (seen === ticks) resolve();
  });
});
await wampy.disconnect();
