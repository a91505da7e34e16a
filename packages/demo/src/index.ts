export { startDemoServer, type DemoServer } from './demo-server.js';
export { ChatHub } from './chat-hub.js';
