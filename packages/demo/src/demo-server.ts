import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Switchyard, JsonHubProtocol } from '@switchyard/server';
import { MessagePackHubProtocol } from '@switchyard/protocol-msgpack';
import { ChatHub } from './chat-hub.js';

const require = createRequire(import.meta.url);
const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

/** Static files the page needs; everything else is the hub or a 404. */
const STATIC_FILES: Readonly<Record<string, { path: string; type: string }>> = {
  '/': { path: `${PUBLIC_DIR}index.html`, type: 'text/html; charset=utf-8' },
  '/signalr.min.js': {
    // The official browser client, served from its npm package until @switchyard/client ships a bundle.
    path: require.resolve('@microsoft/signalr/dist/browser/signalr.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
};

export interface DemoServer {
  readonly server: Server;
  readonly app: Switchyard;
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the demo on `port` (0 for any free port) on the embedded single-process default. */
export async function startDemoServer(options: { port: number; host?: string }): Promise<DemoServer> {
  const app = new Switchyard({ protocols: [new JsonHubProtocol(), new MessagePackHubProtocol()] });
  app.mapHub('/hubs/chat', ChatHub);
  const server = createServer((req, res) => {
    if (app.handleRequest(req, res)) return;
    void serveStatic(req, res);
  });
  server.on('upgrade', (req, socket, head) => {
    if (!app.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    server,
    app,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    async close() {
      await app.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  const file = STATIC_FILES[pathname];
  if (req.method !== 'GET' || file === undefined) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    return;
  }
  try {
    const body = await readFile(file.path);
    res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': body.length }).end(body);
  } catch {
    res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Could not read the file');
  }
}
