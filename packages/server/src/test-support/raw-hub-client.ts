/**
 * A hand-rolled hub client for sending what the official client never would (broken handshakes,
 * garbage, oversized or unknown-id messages) over a real transport: WebSocket frames (`ws`), or POST
 * bodies next to a Server-Sent Events stream or a long-polling loop (`fetch`). What the server sends
 * back is decoded with plain `JSON.parse` and the official MessagePack protocol, not with Switchyard's
 * codecs, so assertions do not trust the code under test.
 */
import { encode } from '@msgpack/msgpack';
import { NullLogger } from '@microsoft/signalr';
import { MessagePackHubProtocol as OfficialMessagePack } from '@microsoft/signalr-protocol-msgpack';
import WebSocket from 'ws';
import type { ProtocolName, TransportKind } from './e2e.js';
import { withTimeout } from './test-client.js';

const RECORD_SEPARATOR = 0x1e;

/** How the server ended the transport. */
export type TransportEnd =
  | { readonly transport: 'WebSockets'; readonly code: number }
  | { readonly transport: 'ServerSentEvents' }
  | { readonly transport: 'LongPolling'; readonly status: number };

export interface RawOpenOptions {
  /** Sent as `Authorization: Bearer …` on negotiate and on every transport request. */
  readonly accessToken?: string;
  /** WebSockets only: connect without negotiating, as the official client's `skipNegotiation` does. */
  readonly skipNegotiation?: boolean;
}

/** One hub message as the server sent it, `undefined` fields and empty MessagePack headers removed. */
export type WireMessage = Record<string, unknown> & { type: number };

export interface ServerOutput {
  /** The first record (`{}` or `{"error":…}`), once it arrived. */
  readonly handshake: Record<string, unknown> | undefined;
  /** Complete hub messages after the handshake, Pings left out. */
  readonly messages: WireMessage[];
}

/** A connection opened by hand; `send` and what comes back are raw bytes. */
export class RawConnection {
  readonly transport: TransportKind;
  readonly url: string;
  readonly #headers: Record<string, string>;
  readonly #chunks: Buffer[] = [];
  readonly #listeners = new Set<() => void>();
  readonly #abort = new AbortController();
  #socket: WebSocket | undefined;
  #end: TransportEnd | undefined;
  readonly ended: Promise<TransportEnd>;
  #resolveEnded!: (end: TransportEnd) => void;

  private constructor(transport: TransportKind, url: string, headers: Record<string, string>) {
    this.transport = transport;
    this.url = url;
    this.#headers = headers;
    this.ended = new Promise((resolve) => (this.#resolveEnded = resolve));
  }

  /** Negotiates (unless skipped) and starts `transport` on the hub at `hubUrl` (`http://…/hub`). */
  static async open(hubUrl: string, transport: TransportKind, options: RawOpenOptions = {}): Promise<RawConnection> {
    if (options.skipNegotiation === true) return await RawConnection.#started(hubUrl, transport, options);
    const response = await fetch(`${hubUrl}/negotiate?negotiateVersion=1`, { method: 'POST', headers: authorization(options) });
    if (response.status !== 200) throw new Error(`negotiate answered ${response.status}`);
    const { connectionToken } = (await response.json()) as { connectionToken: string };
    return await RawConnection.openNegotiated(hubUrl, connectionToken, transport, options);
  }

  /** Starts `transport` for a connection negotiated elsewhere. */
  static async openNegotiated(hubUrl: string, connectionToken: string, transport: TransportKind, options: RawOpenOptions = {}): Promise<RawConnection> {
    return await RawConnection.#started(`${hubUrl}?id=${encodeURIComponent(connectionToken)}`, transport, options);
  }

  static async #started(url: string, transport: TransportKind, options: RawOpenOptions): Promise<RawConnection> {
    const connection = new RawConnection(transport, url, authorization(options));
    await connection.#start();
    return connection;
  }

  /** Everything the server sent so far, in order. */
  get bytes(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  /**
   * Sends `payload`: one WebSocket message (text for a string, binary for bytes), else one POST
   * body. Resolves with the POST's status; on WebSockets, where nothing answers, 200 once written
   * and 0 if the socket was already closing.
   */
  async send(payload: string | Uint8Array): Promise<number> {
    if (this.#socket !== undefined) {
      const socket = this.#socket;
      if (socket.readyState !== WebSocket.OPEN) return 0;
      return await new Promise<number>((resolve) => socket.send(typeof payload === 'string' ? payload : Buffer.from(payload), (error) => resolve(error ? 0 : 200)));
    }
    const contentType = typeof payload === 'string' ? 'text/plain;charset=UTF-8' : 'application/octet-stream';
    const response = await fetch(this.url, { method: 'POST', headers: { ...this.#headers, 'content-type': contentType }, body: payload });
    await response.arrayBuffer();
    return response.status;
  }

  /** Resolves once `condition` holds for the bytes received so far. */
  async until(condition: (bytes: Buffer) => boolean, what: string): Promise<void> {
    if (condition(this.bytes)) return;
    let listener!: () => void;
    const reached = new Promise<void>((resolve) => {
      listener = () => {
        if (condition(this.bytes)) resolve();
      };
      this.#listeners.add(listener);
    });
    try {
      await withTimeout(reached, what);
    } finally {
      this.#listeners.delete(listener);
    }
  }

  /**
   * Ends the transport the way a well-behaved client does: a WebSocket close frame (1000), dropping
   * the event stream, or DELETE for long polling. Resolves once the transport has ended.
   */
  async stop(): Promise<void> {
    if (this.#socket !== undefined) {
      this.#socket.close(1000);
    } else if (this.transport === 'LongPolling') {
      await fetch(this.url, { method: 'DELETE', headers: this.#headers }).then((r) => r.arrayBuffer());
    } else {
      this.#abort.abort();
    }
    await withTimeout(this.ended, 'the transport to end');
  }

  /** Ends the connection from the client side, whatever state it is in. */
  async close(): Promise<void> {
    const socket = this.#socket;
    if (socket !== undefined && socket.readyState !== WebSocket.CLOSED) {
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.terminate();
      await closed;
    }
    this.#abort.abort();
    if (this.transport === 'LongPolling' && this.#end === undefined) {
      await fetch(this.url, { method: 'DELETE', headers: this.#headers }).then((r) => r.arrayBuffer(), () => undefined);
    }
  }

  async #start(): Promise<void> {
    switch (this.transport) {
      case 'WebSockets':
        await this.#openWebSocket();
        return;
      case 'ServerSentEvents':
        await this.#openEventStream();
        return;
      case 'LongPolling':
        await this.#startPolling();
        return;
    }
  }

  async #openWebSocket(): Promise<void> {
    const socket = new WebSocket(this.url.replace(/^http/, 'ws'), { headers: this.#headers });
    socket.on('message', (data: unknown) => this.#receive(toBuffer(data)));
    socket.once('close', (code: number) => this.#ended({ transport: 'WebSockets', code }));
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      }),
      'WebSocket open',
    );
    socket.on('error', () => {});
    this.#socket = socket;
  }

  async #openEventStream(): Promise<void> {
    const response = await fetch(this.url, { headers: { ...this.#headers, accept: 'text/event-stream' }, signal: this.#abort.signal });
    if (response.status !== 200 || response.body === null) throw new Error(`event stream answered ${response.status}`);
    void this.#readEvents(response.body);
  }

  /** Parses `data:` lines (the server writes `\r\n` line ends); one event's lines join with `\n`. */
  async #readEvents(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let pending = '';
    let data: string[] = [];
    try {
      for await (const chunk of body) {
        pending += decoder.decode(chunk, { stream: true });
        let lineEnd: number;
        while ((lineEnd = pending.indexOf('\r\n')) >= 0) {
          const line = pending.slice(0, lineEnd);
          pending = pending.slice(lineEnd + 2);
          if (line.startsWith('data: ')) data.push(line.slice(6));
          else if (line === '' && data.length > 0) {
            this.#receive(Buffer.from(data.join('\n'), 'utf8'));
            data = [];
          }
        }
      }
    } catch {
      // Aborted by close(): the end below still counts.
    }
    this.#ended({ transport: 'ServerSentEvents' });
  }

  async #startPolling(): Promise<void> {
    const first = await this.#poll();
    if (first.status !== 200) throw new Error(`the first poll answered ${first.status}`);
    void this.#pollLoop();
  }

  async #pollLoop(): Promise<void> {
    for (;;) {
      let status: number;
      try {
        const response = await this.#poll();
        status = response.status;
        if (status === 200 && response.body.length > 0) this.#receive(response.body);
      } catch {
        status = 0; // aborted by close()
      }
      if (status !== 200) {
        this.#ended({ transport: 'LongPolling', status });
        return;
      }
    }
  }

  async #poll(): Promise<{ status: number; body: Buffer }> {
    const response = await fetch(this.url, { headers: this.#headers, signal: this.#abort.signal });
    return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
  }

  #receive(chunk: Buffer): void {
    this.#chunks.push(chunk);
    for (const listener of [...this.#listeners]) listener();
  }

  #ended(end: TransportEnd): void {
    if (this.#end !== undefined) return;
    this.#end = end;
    this.#resolveEnded(end);
  }
}

/** A {@link RawConnection} that speaks one hub protocol: encodes requests, decodes the server's output. */
export class RawHubClient {
  readonly connection: RawConnection;
  readonly protocol: ProtocolName;

  constructor(connection: RawConnection, protocol: ProtocolName) {
    this.connection = connection;
    this.protocol = protocol;
  }

  static async open(hubUrl: string, transport: TransportKind, protocol: ProtocolName, options?: RawOpenOptions): Promise<RawHubClient> {
    return new RawHubClient(await RawConnection.open(hubUrl, transport, options), protocol);
  }

  /** Sends the handshake request for this client's protocol and waits for the server's answer. */
  async handshake(): Promise<Record<string, unknown> | undefined> {
    await this.connection.send(`{"protocol":"${this.protocol}","version":1}\x1e`);
    await this.connection.until((bytes) => bytes.includes(RECORD_SEPARATOR), 'handshake response');
    return this.output.handshake;
  }

  /** Encodes `message` in this client's protocol (a MessagePack array, or a JSON object). */
  encode(message: unknown): string | Uint8Array {
    return this.protocol === 'json' ? `${JSON.stringify(message)}\x1e` : frameMessagePack(encode(message));
  }

  /** Sends one or more messages in one frame or body. */
  async send(...messages: unknown[]): Promise<number> {
    if (this.protocol === 'json') return await this.connection.send(messages.map((m) => this.encode(m)).join(''));
    return await this.connection.send(Buffer.concat(messages.map((m) => this.encode(m) as Uint8Array)));
  }

  get output(): ServerOutput {
    return decodeServerOutput(this.connection.bytes, this.protocol);
  }

  /** The first message matching `predicate`, waiting for it if needed. */
  async message(predicate: (message: WireMessage) => boolean, what: string): Promise<WireMessage> {
    await this.connection.until((bytes) => decodeServerOutput(bytes, this.protocol).messages.some(predicate), what);
    return this.output.messages.find(predicate)!;
  }

  /** The Completion for `invocationId`. */
  completion(invocationId: string): Promise<WireMessage> {
    return this.message((m) => m.type === 3 && m['invocationId'] === invocationId, `Completion ${invocationId}`);
  }

  /** A blocking invocation in this protocol's wire shape; resolves with its Completion. */
  async invoke(invocationId: string, target: string, ...args: unknown[]): Promise<WireMessage> {
    await this.send(invocation(this.protocol, invocationId, target, args));
    return await this.completion(invocationId);
  }
}

/** An Invocation (type 1) as the official clients write it. */
export function invocation(protocol: ProtocolName, invocationId: string | undefined, target: string, args: unknown[], streamIds?: string[]): unknown {
  if (protocol === 'json') {
    return { type: 1, target, arguments: args, ...(invocationId === undefined ? {} : { invocationId }), ...(streamIds === undefined ? {} : { streamIds }) };
  }
  return streamIds === undefined ? [1, {}, invocationId ?? null, target, args] : [1, {}, invocationId ?? null, target, args, streamIds];
}

/** Prefixes a MessagePack body with its VarInt length. */
export function frameMessagePack(body: Uint8Array): Uint8Array {
  const prefix: number[] = [];
  let size = body.length;
  do {
    let byte = size & 0x7f;
    size >>>= 7;
    if (size > 0) byte |= 0x80;
    prefix.push(byte);
  } while (size > 0);
  return Buffer.concat([Buffer.from(prefix), body]);
}

/** Splits the server's output into the handshake response and complete hub messages. */
export function decodeServerOutput(bytes: Buffer, protocol: ProtocolName): ServerOutput {
  const end = bytes.indexOf(RECORD_SEPARATOR);
  if (end < 0) return { handshake: undefined, messages: [] };
  const handshake = JSON.parse(bytes.subarray(0, end).toString('utf8')) as Record<string, unknown>;
  const rest = bytes.subarray(end + 1);
  const decoded = protocol === 'json' ? decodeJson(rest) : decodeMessagePack(rest);
  return { handshake, messages: decoded.map(normalize).filter((m) => m.type !== 6) };
}

function decodeJson(bytes: Buffer): unknown[] {
  const records = bytes.toString('utf8').split('\x1e');
  records.pop(); // unfinished (or empty) tail
  return records.map((record) => JSON.parse(record) as unknown);
}

/** Only whole frames go to the official parser (it throws on an incomplete one). */
function decodeMessagePack(bytes: Buffer): unknown[] {
  let complete = 0;
  for (;;) {
    let size = 0;
    let shift = 0;
    let offset = complete;
    let byte: number;
    do {
      if (offset >= bytes.length) return parseMessagePack(bytes.subarray(0, complete));
      byte = bytes[offset++]!;
      size |= (byte & 0x7f) << shift;
      shift += 7;
    } while ((byte & 0x80) !== 0);
    if (offset + size > bytes.length) return parseMessagePack(bytes.subarray(0, complete));
    complete = offset + size;
  }
}

function parseMessagePack(bytes: Buffer): unknown[] {
  if (bytes.length === 0) return [];
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return new OfficialMessagePack().parseMessages(copy, NullLogger.instance);
}

function normalize(message: unknown): WireMessage {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (key === 'headers' && typeof value === 'object' && value !== null && Object.keys(value).length === 0) continue;
    result[key] = value;
  }
  return result as WireMessage;
}

function authorization(options: RawOpenOptions): Record<string, string> {
  return options.accessToken === undefined ? {} : { authorization: `Bearer ${options.accessToken}` };
}

function toBuffer(data: unknown): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]);
  return Buffer.from(data as ArrayBuffer);
}
