export { startDemoServer, HUB_PATH, type DemoServer, type DemoServerOptions } from './demo-server.js';
export type * from './contract.js';
