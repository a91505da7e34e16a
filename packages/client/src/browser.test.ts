/**
 * The browser bundle in headless Chromium against our server, one test per transport: the browser's
 * own WebSocket and fetch, a relative hub URL, JSON and MessagePack.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { buildTestBundle, launchChromium, pageServer } from './test-support/browser.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';

// What the page sees: the bundle's exports on `window.Switchyard`. Typed loosely on purpose: this code
// runs in the browser, serialized by playwright.
interface PageExports {
  HubConnection: new (options: Record<string, unknown>) => {
    start(): Promise<void>;
    stop(): Promise<void>;
    invoke(method: string, ...args: unknown[]): Promise<unknown>;
    stream(method: string, ...args: unknown[]): AsyncIterable<unknown>;
    on(method: string, handler: (...args: unknown[]) => unknown): () => void;
    readonly connectionId: string | null;
  };
  MessagePackHubProtocol: new () => unknown;
}

let server: TestServer;
let browser: Browser;
before(async () => {
  server = await startTestServer({ otherRequests: pageServer(await buildTestBundle()) });
  browser = await launchChromium();
});
after(async () => {
  await browser.close();
  await server.close();
});

const cases = [
  ['WebSockets', 'json'],
  ['ServerSentEvents', 'json'],
  ['LongPolling', 'messagepack'],
] as const;

for (const [transport, protocol] of cases) {
  test(`Chromium, ${transport} + ${protocol}: invoke, stream, upload, handler and client result`, async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`http://127.0.0.1:${server.port}/`);
      const result = await page.evaluate(async (wanted) => {
        const S = (globalThis as unknown as { Switchyard: PageExports }).Switchyard;
        const connection = new S.HubConnection({
          url: '/hub',
          transport: wanted.transport,
          ...(wanted.protocol === 'messagepack' ? { protocol: new S.MessagePackHubProtocol() } : {}),
        });
        await connection.start();
        const notified = new Promise((resolve) => connection.on('notified', resolve));
        connection.on('answer', (question) => `${String(question)}!`);
        const items: unknown[] = [];
        for await (const item of connection.stream('counter', 3, 0)) items.push(item);
        async function* numbers(): AsyncGenerator<number> {
          for (let i = 1; i <= 4; i++) yield await Promise.resolve(i);
        }
        const outcome = {
          transport: await connection.invoke('transport'),
          echo: await connection.invoke('echo', 'from the browser'),
          items,
          sum: await connection.invoke('sum', numbers()),
          answer: await connection.invoke('ask', 'hello'),
          notified: await connection.invoke('notify', 'note').then(() => notified),
          hasId: typeof connection.connectionId === 'string',
        };
        await connection.stop();
        return outcome;
      }, { transport, protocol });
      assert.deepEqual(result, {
        transport,
        echo: 'from the browser',
        items: [0, 1, 2],
        sum: 10,
        answer: 'hello!',
        notified: 'note',
        hasId: true,
      });
    } finally {
      await page.close();
    }
  });
}
