/**
 * `npm run screenshots -w @switchyard/demo`: the README's pictures. Starts the demo in this process,
 * has three people use it (one per transport) in headless Chromium, and writes docs/images/demo-*.png.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { startDemoServer } from './demo-server.js';
import { launchChromium } from './test-support/chromium.js';

const OUT = fileURLToPath(new URL('../../../docs/images/', import.meta.url));
const VIEWPORT = { width: 1200, height: 740 };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Port 5000, as `npm start`, when it is free: the pictures then show what a reader will see.
const demo = await startDemoServer({ port: 5000 }).catch(() => startDemoServer({ port: 0 }));
const browser = await launchChromium();
try {
  const open = async (name: string, transport: string): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
    await page.goto(`${demo.url}/?name=${name}&transport=${transport}`);
    await page.waitForSelector('.state[data-state="Connected"]');
    return page;
  };
  const say = async (page: Page, text: string): Promise<void> => {
    await page.fill('#compose-text', text);
    await page.press('#compose-text', 'Enter');
    await sleep(250);
  };
  const ada = await open('Ada', 'WebSockets');
  const linus = await open('Linus', 'LongPolling');
  const grace = await open('Grace', 'ServerSentEvents');
  await say(ada, 'Morning! Is the 9:40 shuttle running?');
  await say(linus, 'Yes, it just left the depot (I am on long polling, by the way).');
  await say(grace, 'And I am on Server-Sent Events: same room, same messages.');
  await say(ada, 'Great, thanks both!');
  await linus.click('#people li:has-text("Ada")');
  await say(linus, 'Lunch at noon?');
  await sleep(1600); // typing notices are sent at most every 1.5 s
  await grace.fill('#compose-text', 'On my way');
  await sleep(400);
  await mkdir(OUT, { recursive: true });
  await ada.screenshot({ path: `${OUT}demo-chat.png` });

  // Let the sparklines and charts gather some history first.
  await ada.click('button[data-view=market]');
  await sleep(12_000);
  await ada.screenshot({ path: `${OUT}demo-market.png` });
  await ada.click('button[data-view=fleet]');
  await sleep(1500);
  await ada.screenshot({ path: `${OUT}demo-fleet.png` });
  await ada.click('button[data-view=monitor]');
  await sleep(15_000);
  await ada.screenshot({ path: `${OUT}demo-monitor.png` });
  console.log(`wrote ${OUT}demo-{chat,market,fleet,monitor}.png`);
} finally {
  await browser.close();
  await demo.close();
}
