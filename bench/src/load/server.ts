/**
 * One Switchyard server of the c100k cluster, forked with an IPC channel and `--expose-gc`.
 * `BroadcastAll(id, sentAt)` sends `Message(id, sentAt)` to every connection of every server (through
 * the backplane). Answers `stats` (after a full GC) and stops on `stop`.
 * Arguments: --backplane <redis://… | nats://…> --prefix <site> --backlog <n>.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Hub, Switchyard } from '@switchyard/server';
import { createBackplane } from '@switchyard/conformance/backplane-url';
import type { FromServer, ToServer } from './messages.js';

let connections = 0;

class LoadHub extends Hub {
  override onConnected(): void {
    connections++;
  }

  override onDisconnected(): void {
    connections--;
  }

  async broadcastAll(id: number, sentAt: number): Promise<void> {
    await this.clients.all.send('Message', id, sentAt);
  }
}

const { values } = parseArgs({
  options: { backplane: { type: 'string' }, prefix: { type: 'string', default: 'c100k' }, backlog: { type: 'string', default: '4096' } },
});
const url = values.backplane ?? 'redis://127.0.0.1:6379';
const backplane = await createBackplane(url, undefined, values.prefix);
const app = new Switchyard({ backplane });
app.mapHub('/load', LoadHub);
const server = createServer();
app.attach(server);

const send = (message: FromServer): void => void process.send?.(message);
const gc = (globalThis as { gc?: () => void }).gc;

process.on('message', (message: ToServer) => {
  if (message.type === 'stats') {
    if (message.gc !== false) gc?.();
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    send({
      type: 'stats',
      connections,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      externalBytes: memory.external,
      cpuMicros: cpu.user + cpu.system,
    });
  } else if (message.type === 'stop') {
    void app
      .close()
      .then(() => backplane.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  }
});
// The coordinator gone (crashed or killed) means nobody will ever say stop.
process.on('disconnect', () => process.exit(3));

server.listen(0, '127.0.0.1', Number(values.backlog), () => send({ type: 'listening', port: (server.address() as AddressInfo).port }));
