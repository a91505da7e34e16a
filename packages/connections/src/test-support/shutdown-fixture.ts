/**
 * Run as a child process by shutdown.test.ts: opens connections on every transport (plus an unused
 * negotiated one and a WebSocket peer that never answers the close handshake), closes the router and
 * the server, prints a JSON report, and then must exit on its own: nothing may keep the event loop alive.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectionRouter } from '../router.js';
import { negotiate } from './http.js';
import { openOfficialClient } from './official-client.js';
import { rawWebSocket } from './raw-socket.js';
import { waitFor } from './wait.js';

const serverSide: Record<string, string | null> = {};
const router = new ConnectionRouter();
const endpoint = router.mapConnection('/app', (connection) => {
  const name = connection.request.url.searchParams.get('name') ?? connection.transport;
  return {
    onData: (payload) => connection.send(payload),
    onClose: (error) => {
      serverSide[name] = error === undefined ? null : error.message;
    },
  };
}, { webSocketCloseTimeoutMs: 300 });

const server = createServer();
router.attach(server);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/app`;

const clients = await Promise.all((['WebSockets', 'ServerSentEvents', 'LongPolling'] as const).map(async (transport) => {
  const client = await openOfficialClient(`${base}?name=${transport}`, transport, 'Text');
  await client.connection.send('warm-up');
  await client.received.next('echo');
  return { transport, client };
}));
await negotiate(base); // negotiated, never used
const stalled = await rawWebSocket(base.replace('/app', ''), '/app?name=stalled');
stalled.pause(); // never reads, so never answers the close handshake
await waitFor(() => endpoint.connectionCount === 5, 'five connections');

await router.close();
await new Promise<void>((resolve) => server.close(() => resolve()));
stalled.destroy();

const clientSide: Record<string, string | null> = {};
for (const { transport, client } of clients) {
  const error = await client.closed;
  clientSide[transport] = error === undefined ? null : error.message;
}
process.stdout.write(JSON.stringify({ serverSide, clientSide, remaining: endpoint.connectionCount }));
