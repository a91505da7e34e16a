/** Raw HTTP and WebSocket clients for asserting exact wire behaviour. */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { within } from './wait.js';

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  readonly text: string;
}

/** One HTTP exchange through fetch, body read in full. */
export async function request(url: string, init: RequestInit = {}): Promise<RawResponse> {
  const response = await fetch(url, init);
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body, text: body.toString('utf8') };
}

/** `POST {base}/negotiate?negotiateVersion=1` and its JSON. */
export async function negotiate(baseUrl: string, query = 'negotiateVersion=1'): Promise<{ connectionId: string; connectionToken?: string; negotiateVersion: number }> {
  const response = await request(`${baseUrl}/negotiate?${query}`, { method: 'POST' });
  if (response.status !== 200) throw new Error(`negotiate answered ${response.status}`);
  return JSON.parse(response.text) as { connectionId: string; connectionToken?: string; negotiateVersion: number };
}

/** Opens a WebSocket; rejects if the server refuses the upgrade. */
export function openWebSocket(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), options);
  return within(new Promise<WebSocket>((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  }), 'WebSocket open');
}

/** Attempts an upgrade the server should refuse; resolves with the HTTP status and body it answered. */
export function refusedUpgrade(url: string, options: WebSocket.ClientOptions = {}): Promise<{ status: number; body: string; headers: IncomingMessage['headers'] }> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), options);
  return within(new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    socket.once('error', () => {});
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        socket.terminate();
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
      });
    });
  }), 'refused upgrade');
}

/** Resolves with the close code and reason once `socket` closes. */
export function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve({ code: 1006, reason: '' });
  return within(new Promise((resolve) => {
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  }), 'WebSocket close');
}
