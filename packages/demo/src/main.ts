import { createLogger } from '@switchyard/conformance';
import { startDemoServer } from './demo-server.js';

// `npm start`: the demo on http://localhost:5000 (PORT to change), on the embedded single-process
// default; with SWITCHYARD_BACKPLANE=redis://… or nats://… several processes share one site.
const env = process.env;
const port = Number(env['PORT'] ?? 5000);
const host = env['HOST'] ?? '127.0.0.1';
const backplaneUrl = env['SWITCHYARD_BACKPLANE'] || undefined;
const channelPrefix = env['SWITCHYARD_CHANNEL_PREFIX'] || undefined;

const demo = await startDemoServer({
  port,
  host,
  backplaneUrl,
  channelPrefix,
  // pino JSON lines on stderr (LOG_LEVEL: trace … silent); credentials in logged headers are masked.
  logger: createLogger(env['LOG_LEVEL'] ?? 'info'),
});
console.log(`Switchyard demo: open ${demo.url}${backplaneUrl === undefined ? '' : ` (backplane ${backplaneUrl})`} - Ctrl+C to stop`);

// Ctrl+C or SIGTERM: stop taking connections, tell the pages to reconnect in batches (to another
// instance behind a balancer, or to this one when it is back), then close. A second signal exits at once.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const again of ['SIGINT', 'SIGTERM'] as const) process.once(again, () => process.exit(1));
    demo.app.shutdown({ drainTimeoutMs: 5_000 }).then(() => demo.close()).then(() => process.exit(0), () => process.exit(1));
  });
}
