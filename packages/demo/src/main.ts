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
  logger: { debug() {}, info: print(console.log), warn: print(console.warn), error: print(console.error) },
});
console.log(`Switchyard demo: open ${demo.url}${backplaneUrl === undefined ? '' : ` (backplane ${backplaneUrl})`} - Ctrl+C to stop`);

function print(write: (line: string) => void): (context: object | string, message?: string) => void {
  return (context, message) => write(typeof context === 'string' ? context : `${message ?? ''} ${JSON.stringify(context)}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    demo.close().then(() => process.exit(0), () => process.exit(1));
  });
}
