/**
 * One server of the chaos test's site, run as its own process (so SIGKILL is a real crash):
 * `node chaos-server.js --port <n> --redis <url> --prefix <site>`. It serves `/scaleouthub` (JSON and
 * MessagePack, stateful reconnect allowed) on a Redis backplane that retries every 100 ms when Redis
 * is gone, and prints `Now listening on: <url>` once ready.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { MessagePackHubProtocol } from '@switchyard/protocol-msgpack';
import { createRedisBackplane } from '@switchyard/redis';
import { JsonHubProtocol, Switchyard, type Logger } from '@switchyard/server';
import { ScaleoutHub, scaleoutHubOptions } from '../scaleout-hub.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, redis: { type: 'string' }, prefix: { type: 'string', default: 'chaos' } } });

const print = (level: string) => (context: unknown, message?: string) =>
  console.log(`${level}: ${message ?? (typeof context === 'string' ? context : '')}`);
const logger: Logger = { debug() {}, info: print('info'), warn: print('warn'), error: print('error') };

if (values.redis === undefined) {
  // Never fall back to the machine's Redis: the chaos test stops and restarts its broker.
  console.error('--redis <url> is required');
  process.exit(2);
}
const backplane = await createRedisBackplane({
  url: values.redis,
  channelPrefix: `${values.prefix}:`,
  logger,
  clientOptions: { socket: { reconnectStrategy: () => 100 } },
});
const app = new Switchyard({ protocols: [new JsonHubProtocol(), new MessagePackHubProtocol()], backplane, logger });
app.mapHub('/scaleouthub', ScaleoutHub, { ...scaleoutHubOptions, allowStatefulReconnect: true });
const server = createServer();
app.attach(server);
server.listen(Number(values.port), '127.0.0.1', () => {
  console.log(`Now listening on: http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => backplane.close())
    .finally(() => {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    });
});
