import { parseArgs } from 'node:util';
import { startConformanceServer } from './conformance-server.js';

// `npm run conformance -- --port 5000 [--host 127.0.0.1] [--https-port 5001]`
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5000' },
    host: { type: 'string', default: '127.0.0.1' },
    'https-port': { type: 'string' },
  },
});

function portOption(name: string, raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`--${name} must be a port number (0-65535), got '${raw}'`);
    process.exit(2);
  }
  return port;
}

const httpsRaw = values['https-port'];
const server = await startConformanceServer({
  port: portOption('port', values.port),
  host: values.host,
  ...(httpsRaw === undefined ? {} : { httpsPort: portOption('https-port', httpsRaw) }),
  logger: {
    // Warnings and errors only: a full official run makes thousands of requests.
    debug() {},
    info() {},
    warn: (entry: unknown) => console.warn(entry),
    error: (entry: unknown) => console.error(entry),
  },
});

// Same wording as Kestrel, so scripts that scrape the .NET test app's output work unchanged.
if (server.httpsUrl !== undefined) console.log(`Now listening on: ${server.httpsUrl}`);
console.log(`Now listening on: ${server.url}`);
console.log(`SERVER_URL="${server.httpsUrl ?? ''};${server.url}"`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
