import { startDemoServer } from './demo-server.js';

// `npm start`: the demo on the embedded single-process default (no broker).
const port = Number(process.env['PORT'] ?? 5000);
const host = process.env['HOST'] ?? '127.0.0.1';
const demo = await startDemoServer({ port, host });
console.log(`Switchyard demo: open ${demo.url} (Ctrl+C to stop)`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    demo.close().then(() => process.exit(0), () => process.exit(1));
  });
}
