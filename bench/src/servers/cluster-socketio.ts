/**
 * A Socket.IO server for the cluster benchmark, on @socket.io/redis-adapter: `broadcast(seq, text)`
 * emits `message(seq, text)` to every other socket of the site (the same work as the Switchyard hub).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { Server } from 'socket.io';

const { values } = parseArgs({ options: { redis: { type: 'string' }, prefix: { type: 'string', default: 'bench' } } });
const pub = createClient({ url: values.redis ?? 'redis://127.0.0.1:6379' });
const sub = pub.duplicate();
await Promise.all([pub.connect(), sub.connect()]);
const server = createServer();
const io = new Server(server, { adapter: createAdapter(pub, sub, { key: `${values.prefix}#socket.io` }), transports: ['websocket'] });
io.on('connection', (socket) => {
  socket.on('broadcast', (seq: number, text: string) => {
    socket.broadcast.emit('message', seq, text);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${(server.address() as AddressInfo).port}`));
process.once('SIGTERM', () => {
  void io.close(() => {
    void Promise.all([pub.close(), sub.close()]).finally(() => process.exit(0));
  });
});
