/** The client package's Chromium launcher (Debian's, headless, no network of its own), for the demo's browser tests and screenshots. */
export { launchChromium } from '@switchyard/client/test-support/chromium';
