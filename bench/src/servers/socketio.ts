/**
 * Socket.IO 4 under test, WebSocket and polling transports: `echo(value, ack)` acknowledges with the
 * value; broadcasts are `io.emit('message', seq, sentAt, payload)`.
 */
import { Server } from 'socket.io';
import { runServerAgent } from './server-agent.js';

await runServerAgent((server) => {
  const io = new Server(server, { transports: ['websocket', 'polling'], perMessageDeflate: false, httpCompression: false });
  io.on('connection', (socket) => {
    socket.on('echo', (value: unknown, ack: (value: unknown) => void) => ack(value));
  });
  return {
    send(seq, sentAt, payload) {
      io.emit('message', seq, sentAt, payload);
    },
    connections: () => io.engine.clientsCount,
    close: () => new Promise<void>((resolve) => void io.close(() => resolve())),
  };
});
