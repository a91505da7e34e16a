/**
 * Runs our client in headless Chromium (Debian's `chromium` driven by playwright-core): the browser
 * bundle is built in memory with esbuild and served, with a blank page, by the test server itself, so
 * the page and the hub share an origin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export { launchChromium } from './chromium.js';

/** The client bundle with MessagePack, as `window.Switchyard` in the page. */
export async function buildTestBundle(): Promise<string> {
  const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
  const result = await build({
    stdin: {
      contents: "export * from './src/index.ts';\nexport { MessagePackHubProtocol } from '@switchyard/protocol-msgpack';\n",
      resolveDir: packageRoot,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    globalName: 'Switchyard',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  return result.outputFiles[0]!.text;
}

/** Answers `/` (a blank page loading the bundle) and `/client.js`; 404 for anything else. */
export function pageServer(bundle: string): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>client</title><script src="/client.js"></script>');
    } else if (req.url === '/client.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(bundle);
    } else {
      res.writeHead(404, { 'Content-Length': 0 }).end();
    }
  };
}
