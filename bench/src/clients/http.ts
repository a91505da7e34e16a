/** Small HTTP helpers for the light SignalR clients (negotiate, POST, DELETE) on one keep-alive agent. */
import { Agent, request, type IncomingMessage } from 'node:http';

export const keepAlive = new Agent({ keepAlive: true, maxSockets: Infinity });

/** Sends a request; resolves with the status and the whole body. */
export function fetchText(url: string, method: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: keepAlive, headers: body === undefined ? headers : { ...headers, 'content-type': 'text/plain;charset=UTF-8', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a streaming GET; resolves with the response once its headers arrived. */
export function openStream(url: string, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: keepAlive, headers }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** The connection token from a SignalR negotiate (version 1). */
export async function negotiate(hubUrl: string): Promise<string> {
  const { status, body } = await fetchText(`${hubUrl}/negotiate?negotiateVersion=1`, 'POST', '');
  if (status !== 200) throw new Error(`negotiate answered ${status}: ${body}`);
  const token = (JSON.parse(body) as { connectionToken?: string }).connectionToken;
  if (token === undefined) throw new Error(`negotiate without a connection token: ${body}`);
  return token;
}
