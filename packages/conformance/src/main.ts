import { parseArgs } from 'node:util';
import { createLogger } from './logging.js';
import { createBackplane } from './backplane-url.js';
import { startConformanceServer } from './conformance-server.js';

// `npm run conformance -- --port 5000 [--host 127.0.0.1] [--https-port 5001] [--backplane redis://127.0.0.1:6379 [--backplane-prefix site1]]
//  [--log-level warn]` (or LOG_LEVEL); metrics at GET /metrics
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5000' },
    host: { type: 'string', default: '127.0.0.1' },
    'https-port': { type: 'string' },
    backplane: { type: 'string' },
    'backplane-prefix': { type: 'string' },
    // Warnings and errors by default: a full official run makes thousands of requests.
    'log-level': { type: 'string', default: process.env['LOG_LEVEL'] ?? 'warn' },
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

let logger: ReturnType<typeof createLogger>;
try {
  logger = createLogger(values['log-level']);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}

const httpsRaw = values['https-port'];
let backplane: Awaited<ReturnType<typeof createBackplane>> | undefined;
if (values.backplane !== undefined) {
  try {
    backplane = await createBackplane(values.backplane, logger, values['backplane-prefix']);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
}
const server = await startConformanceServer({
  port: portOption('port', values.port),
  host: values.host,
  ...(httpsRaw === undefined ? {} : { httpsPort: portOption('https-port', httpsRaw) }),
  ...(backplane === undefined ? {} : { backplane }),
  logger,
});

// Same wording as Kestrel, so scripts that scrape the .NET test app's output work unchanged.
if (server.httpsUrl !== undefined) console.log(`Now listening on: ${server.httpsUrl}`);
console.log(`Now listening on: ${server.url}`);
console.log(`SERVER_URL="${server.httpsUrl ?? ''};${server.url}"`);
if (backplane !== undefined) console.log(`Backplane: ${values.backplane ?? ''} (server id ${backplane.serverId})`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // Graceful (docs/slow-consumers-and-shutdown.md): new connections get 503, hub clients are told to
    // reconnect 100 at a time every 100 ms, then whatever is left is closed with the HTTP servers.
    server.app
      .shutdown()
      .then(() => server.close())
      .then(() => backplane?.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
}
