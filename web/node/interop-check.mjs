// Drives a wampgate router with Wampy, a WAMP client that is not Autobahn,
// and prints one JSON report of what it saw. The test suite asserts on it:
//   node web/node/interop-check.mjs ws://127.0.0.1:8080/ws realm1
import { Wampy } from 'wampy';
import WebSocket from 'ws';

const [url = 'ws://127.0.0.1:8080/ws', realm = 'realm1'] = process.argv.slice(2);
const wampy = new Wampy(url, { realm, ws: WebSocket, autoReconnect: false });
const report = {};

async function failure(action) {
  try {
    await action();
    return { ok: true };
  } catch (e) {
    return { error: e.errorUri ?? String(e), args: e.argsList ?? [] };
  }
}

await wampy.connect();
report.add = (await wampy.call('demo.calc.add', [2, 3])).argsList[0];
report.mul = (await wampy.call('demo.calc.mul', [4, 2.5])).argsList[0];
report.xsum = (await wampy.call('demo.calc.xsum', [[1, 2, 3.5]])).argsList[0];
report.addByName = (await wampy.call('demo.calc.add', { argsDict: { a: 1, b: 2 } })).argsList[0];
report.broken = await failure(() => wampy.call('demo.calc.broken'));
report.invalid = await failure(() => wampy.call('demo.calc.add', ['x', []]));
report.afterInvalid = (await wampy.call('demo.calc.add', [20, 22])).argsList[0];

const seqs = [];
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no ticks within 10 s')), 10000);
  wampy.subscribe('demo.clock.tick', (event) => {
    seqs.push(event.argsList[0].seq);
    if (seqs.length === 3) {
      clearTimeout(timer);
      resolve();
    }
  }).catch(reject);
});
report.ticks = seqs;

const nobody = `demo.interop.unregistered_${process.pid}`;
report.register = await failure(() => wampy.register(nobody, () => 1));
report.publish = await failure(() => wampy.publish('demo.clock.tick', [{ seq: -1 }], { acknowledge: true }));

await wampy.disconnect();
console.log(JSON.stringify(report));
