// A flooding partner app, in a process of its own so that its sending does not delay the measuring
// test's event loop: `node test/support/flood.ts <url> <per-second> <max-in-flight>` with the token
// and the query in FLOOD_TOKEN and FLOOD_QUERY; sends until SIGTERM, then prints its answers by HTTP
// status as one JSON line and exits. It starts paused: SIGUSR2 starts the flood, SIGUSR1 pauses it. Requests are written as prepared bytes on kept-alive sockets
// (pipelined), so that the flood costs its machine little and reaches its rate on a busy one.
import net from 'node:net';

const [target, perSecond, maxInFlight] = process.argv.slice(2);
const url = new URL(target);
const body = JSON.stringify({ query: process.env.FLOOD_QUERY });
const request = Buffer.from(`POST ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\nauthorization: Bearer ${process.env.FLOOD_TOKEN}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
const SOCKETS = 8;
const TICK_MS = 20;
const statuses: Record<string, number> = {};
let sent = 0;
let answered = 0;

const sockets = Array.from({ length: SOCKETS }, () => {
  const socket = net.connect(Number(url.port), url.hostname);
  socket.setNoDelay(true);
  let tail = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => {
    const text = tail + chunk;
    for (const match of text.matchAll(/HTTP\/1\.1 (\d{3}) /g)) {
      statuses[match[1]] = (statuses[match[1]] ?? 0) + 1;
      answered++;
    }
    tail = text.slice(-16);
    if (/HTTP\/1\.1 (\d{3}) /.test(tail)) tail = '';
  });
  socket.on('error', () => {});
  return socket;
});

let next = 0;
let flooding = false;
process.on('SIGUSR1', () => (flooding = false));
process.on('SIGUSR2', () => (flooding = true));
const timer = setInterval(() => {
  if (!flooding) return;
  for (let i = 0; i < (Number(perSecond) * TICK_MS) / 1000 && sent - answered < Number(maxInFlight); i++) {
    sockets[next++ % SOCKETS].write(request);
    sent++;
  }
}, TICK_MS);

process.once('SIGTERM', async () => {
  clearInterval(timer);
  const deadline = Date.now() + 10_000;
  while (answered < sent && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const socket of sockets) socket.destroy();
  process.stdout.write(`${JSON.stringify({ ...statuses, unanswered: sent - answered })}\n`);
  process.exit(0);
});
process.stdout.write('FLOODING\n');
