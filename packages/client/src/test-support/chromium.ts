/**
 * Debian's Chromium (`/usr/bin/chromium`) driven by playwright-core, headless, with nothing that reaches
 * the network on its own. One launcher for every browser test in the repository: the client's own and
 * the demo's (through `@switchyard/client/test-support/chromium`).
 */
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
