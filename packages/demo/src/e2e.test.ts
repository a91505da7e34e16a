/**
 * The demo as people use it: headless Chromium against `npm start`'s program in separate processes.
 * Two servers share one site on Redis (a channel prefix of its own per run); two browser contexts
 * chat through them on each transport in turn; the ticker, the map and the monitor update; a
 * restarted server is noticed and reconnected to; each view's screenshot has real content.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { isListening } from '@switchyard/server/test-support/broker-check';
import type { ServerProcess } from '@switchyard/conformance/test-support/server-processes';
import { launchChromium } from './test-support/chromium.js';
import { startDemoProcess } from './test-support/demo-process.js';
import { distinctColours } from './test-support/png.js';

const TRANSPORTS = ['WebSockets', 'ServerSentEvents', 'LongPolling'] as const;

// What the callbacks run in the page use of it (they are serialized: no DOM types in this node program).
interface PageElement {
  readonly textContent: string | null;
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
interface PageGlobals {
  readonly document: {
    getElementById(id: string): PageElement | null;
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
  };
  fleetBefore?: Uint8ClampedArray;
}

const WAIT = { timeout: 15_000 };
const VIEWPORT = { width: 1280, height: 800 };

if (!(await isListening(6379))) {
  test('the demo on two servers', () => {
    throw new Error('Redis is not reachable at 127.0.0.1:6379: start it with `redis-server --daemonize yes`');
  });
} else {
  let browser: Browser;
  let servers: ServerProcess[] = [];
  const contexts: BrowserContext[] = [];
  before(async () => {
    const env = { SWITCHYARD_BACKPLANE: 'redis://127.0.0.1:6379', SWITCHYARD_CHANNEL_PREFIX: `demo-e2e-${process.pid}-${Date.now()}` };
    [browser, ...servers] = await Promise.all([launchChromium(), startDemoProcess(env), startDemoProcess(env)]);
  });
  after(async () => {
    await browser?.close();
    await Promise.all(servers.map((server) => server.stop()));
  });

  async function open(url: string, name: string, transport?: string): Promise<Page> {
    const context = await browser.newContext({ viewport: VIEWPORT });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${url}/?name=${name}${transport === undefined ? '' : `&transport=${transport}`}`);
    await page.waitForSelector('.state[data-state="Connected"]', WAIT);
    return page;
  }

  async function closeAll(): Promise<void> {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  }

  function textIn(page: Page, id: string, text: string): Promise<unknown> {
    return page.waitForFunction(([where, what]) => (globalThis as unknown as PageGlobals).document.getElementById(where!)?.textContent?.includes(what!) === true, [id, text], WAIT);
  }

  async function send(page: Page, text: string): Promise<void> {
    await page.fill('#compose-text', text);
    await page.press('#compose-text', 'Enter');
  }

  for (const transport of TRANSPORTS) {
    test(`two people chat through two servers over ${transport}: room, typing, presence, direct message`, async () => {
      try {
        const ada = await open(servers[0]!.url, `Ada-${transport}`, transport);
        const linus = await open(servers[1]!.url, `Linus-${transport}`, transport);
        for (const [page, server] of [[ada, servers[0]!], [linus, servers[1]!]] as const) {
          assert.equal(await page.textContent('#state-text'), `Connected · ${transport} · :${server.port}`);
        }
        await textIn(ada, 'people', `Linus-${transport}`);
        await textIn(linus, 'people', `Ada-${transport}`);

        await send(ada, `hello over ${transport}`);
        await textIn(linus, 'messages', `hello over ${transport}`);
        await linus.fill('#compose-text', 'typ');
        await textIn(ada, 'typing', `Linus-${transport} is typing…`);
        await send(linus, 'hi Ada');
        await textIn(ada, 'messages', 'hi Ada');

        await linus.click(`#people li:has-text("Ada-${transport}")`);
        await send(linus, 'a word in private');
        await ada.waitForSelector('#people .badge', WAIT);
        await ada.click(`#people li:has-text("Linus-${transport}")`);
        await textIn(ada, 'messages', 'a word in private');
      } finally {
        await closeAll();
      }
    });
  }

  test('with WebSockets refused on the way, Auto falls back to Server-Sent Events and the log says why', async () => {
    try {
      const hedy = await open(servers[0]!.url, 'Hedy', 'auto-blocked');
      assert.equal(await hedy.textContent('#state-text'), `Connected · ServerSentEvents · :${servers[0]!.port}`);
      assert.match(await hedy.textContent('#log') ?? '', /WebSockets failed: /);
    } finally {
      await closeAll();
    }
  });

  test('a latecomer on the other server sees the room\'s recent messages', async () => {
    try {
      const grace = await open(servers[0]!.url, 'Grace');
      await send(grace, 'said before Ken came');
      await textIn(grace, 'messages', 'said before Ken came');
      const ken = await open(servers[1]!.url, 'Ken');
      await textIn(ken, 'messages', 'said before Ken came');
    } finally {
      await closeAll();
    }
  });

  test('the ticker and the fleet map update, the monitor charts the server, and every view looks like something', async (t) => {
    try {
      const page = await open(servers[0]!.url, 'Barbara');
      await send(page, 'a message so the chat is not empty');
      await textIn(page, 'messages', 'a message so the chat is not empty');
      const shots: Record<string, number> = { chat: distinctColours(await page.screenshot()) };

      await page.click('button[data-view=market]');
      const prices = (): string => [...(globalThis as unknown as PageGlobals).document.querySelectorAll('.quote .price')].map((cell) => cell.textContent).join(' ');
      await page.waitForFunction(() => {
        const { document } = globalThis as unknown as PageGlobals;
        return document.querySelectorAll('.quote .price').length === 36 && document.querySelector('.quote .price')?.textContent !== '—';
      }, undefined, WAIT);
      const firstPrices = await page.evaluate(prices);
      await page.waitForFunction((first) => [...(globalThis as unknown as PageGlobals).document.querySelectorAll('.quote .price')].map((cell) => cell.textContent).join(' ') !== first, firstPrices, WAIT);
      shots['market'] = distinctColours(await page.screenshot());

      await page.click('button[data-view=fleet]');
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.getElementById('fleet-rate')?.textContent?.includes('vehicles') === true, undefined, WAIT);
      // The map's pixels now, then how many differ later: computed in the page (megabytes of them).
      await page.evaluate(() => {
        const globals = globalThis as unknown as PageGlobals;
        const canvas = globals.document.getElementById('fleet-map')!;
        globals.fleetBefore = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      });
      const changedHandle = await page.waitForFunction(() => {
        const globals = globalThis as unknown as PageGlobals;
        const canvas = globals.document.getElementById('fleet-map')!;
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        const earlier = globals.fleetBefore!;
        let count = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] !== earlier[i] || data[i + 1] !== earlier[i + 1] || data[i + 2] !== earlier[i + 2]) count++;
        return count > 500 ? count : false;
      }, undefined, { ...WAIT, polling: 200 });
      const changed = Number(await changedHandle.jsonValue());
      assert.ok(changed > 500, `the vehicles moved: ${changed} canvas pixels changed`);
      shots['fleet'] = distinctColours(await page.screenshot());

      await page.click('button[data-view=monitor]');
      // The first legend value is the server's WebSocket count: this page's connection shows in it.
      await page.waitForFunction(() => Number((globalThis as unknown as PageGlobals).document.querySelector('#charts .card li b')?.textContent) >= 1, undefined, WAIT);
      assert.match(await page.textContent('#monitor-instance') ?? '', /^server :\d+$/);
      shots['monitor'] = distinctColours(await page.screenshot());

      t.diagnostic(`distinct colours per view: ${JSON.stringify(shots)}; fleet pixels changed: ${changed}`);
      for (const [view, colours] of Object.entries(shots)) assert.ok(colours > 1000, `the ${view} view has ${colours} distinct colours`);
    } finally {
      await closeAll();
    }
  });
}

test('when its server restarts, the page says so and reconnects to the new one', async () => {
  const first = await startDemoProcess();
  let second: ServerProcess | undefined;
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
    await page.goto(`${first.url}/?name=Radia`);
    await page.waitForSelector('.state[data-state="Connected"]', WAIT);
    await first.stop();
    await page.waitForSelector('.state:is([data-state="Reconnecting"], [data-state="Disconnected"], [data-state="Connecting"])', WAIT);
    second = await startDemoProcess({ PORT: String(first.port) });
    await page.waitForSelector('.state[data-state="Connected"]', { timeout: 20_000 });
    const log = await page.textContent('#log');
    assert.match(log ?? '', /Connection lost|Connection closed|Could not connect/);
    assert.equal((log?.match(/Connected to server/g) ?? []).length, 2, log ?? '');
  } finally {
    await browser.close();
    await first.stop();
    await second?.stop();
  }
});
