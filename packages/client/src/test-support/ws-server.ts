/**
 * `ws`'s server class. The root `node_modules/ws` may be version 7, whose CommonJS entry has no named
 * ESM exports: the class is reached through the default export, as `WebSocket.Server`.
 */
import WebSocket, { type WebSocketServer as WebSocketServerClass } from 'ws';

export const WebSocketServer = (WebSocket as unknown as { readonly Server: typeof WebSocketServerClass }).Server;
export type WebSocketServer = WebSocketServerClass;
