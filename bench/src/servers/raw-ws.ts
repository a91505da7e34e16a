/**
 * The floor: the `ws` library alone, the least a Node WebSocket server can do. A text message
 * `[id, value]` is answered `[id, value]` (parsed and re-serialized, as any real server must);
 * broadcasts are `[seq, sentAt, payload]` serialized once and sent to every client.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { runServerAgent } from './server-agent.js';

await runServerAgent((server) => {
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (socket: WebSocket) => {
    socket.on('message', (data: Buffer) => {
      const [id, value] = JSON.parse(data.toString()) as [number, unknown];
      socket.send(JSON.stringify([id, value]));
    });
  });
  return {
    send(seq, sentAt, payload) {
      const text = JSON.stringify([seq, sentAt, payload]);
      for (const client of wss.clients) client.send(text);
    },
    connections: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
});
