/**
 * Light load clients: each speaks one system's wire protocol directly (raw `ws` or node:http), so the
 * client side costs little and never is the bottleneck. SignalR over WebSockets, Server-Sent Events
 * and long polling (JSON hub protocol, handshake and records), raw ws, Socket.IO's engine.io framing
 * over a WebSocket, and the 1-second regular poll.
 */
import WebSocket from 'ws';
import { fetchText, negotiate, openStream } from './http.js';

/** Where a client reports what it receives. */
export interface MessageSink {
  /** A broadcast message: its sequence number and its monotonic send time. */
  message(seq: number, sentAt: number): void;
  /** A transport frame (WebSocket message, SSE event, non-empty poll response) arrived. */
  frame(): void;
}

export interface LightClient {
  /** Invokes echo with `value` and resolves when the answer is back. */
  echo(value: string): Promise<void>;
  close(): void;
}

export type ClientKind = 'signalr-ws' | 'signalr-sse' | 'signalr-lp' | 'raw-ws' | 'socketio-ws' | 'socketio-lp' | 'poll';

const RS = '\x1e';
const handshake = `{"protocol":"json","version":1}${RS}`;

/** The SignalR JSON records of one frame, in order: hands messages to `sink`, completions to `pending`. */
class SignalRReader {
  #handshaken = false;
  #resolveHandshake: () => void = () => {};
  #rejectHandshake: (error: Error) => void = () => {};
  readonly handshake = new Promise<void>((resolve, reject) => {
    this.#resolveHandshake = resolve;
    this.#rejectHandshake = reject;
  });
  readonly pending = new Map<string, () => void>();
  #nextId = 0;

  constructor(readonly sink: MessageSink) {}

  read(text: string): void {
    this.sink.frame();
    let start = 0;
    for (let end = text.indexOf(RS); end >= 0; start = end + 1, end = text.indexOf(RS, start)) {
      const record = JSON.parse(text.slice(start, end)) as { type?: number; error?: string; target?: string; arguments?: unknown[]; invocationId?: string };
      if (!this.#handshaken) {
        this.#handshaken = true;
        if (record.error !== undefined) this.#rejectHandshake(new Error(record.error));
        else this.#resolveHandshake();
      } else if (record.type === 1) {
        this.sink.message(record.arguments![0] as number, record.arguments![1] as number);
      } else if (record.type === 3) {
        const done = this.pending.get(record.invocationId!);
        this.pending.delete(record.invocationId!);
        done?.();
      }
    }
  }

  invocation(value: string): { text: string; done: Promise<void> } {
    const id = String(this.#nextId++);
    const done = new Promise<void>((resolve) => this.pending.set(id, resolve));
    return { text: `{"type":1,"invocationId":"${id}","target":"echo","arguments":[${JSON.stringify(value)}]}${RS}`, done };
  }
}

/** Opens a WebSocket with its message listener already attached: a server may speak first, in the same chunk as the upgrade. */
function openWebSocket(url: string, onMessage: (data: Buffer, socket: WebSocket) => void): Promise<WebSocket> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  socket.on('message', (data: Buffer) => onMessage(data, socket));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function signalrWebSocket(base: string, sink: MessageSink): Promise<LightClient> {
  const reader = new SignalRReader(sink);
  const socket = await openWebSocket(`${base.replace(/^http/, 'ws')}/bench`, (data) => reader.read(data.toString()));
  socket.send(handshake);
  await reader.handshake;
  return {
    echo(value) {
      const { text, done } = reader.invocation(value);
      socket.send(text);
      return done;
    },
    close: () => socket.terminate(),
  };
}

async function signalrServerSentEvents(base: string, sink: MessageSink): Promise<LightClient> {
  const hub = `${base}/bench`;
  const token = await negotiate(hub);
  const url = `${hub}?id=${encodeURIComponent(token)}`;
  const reader = new SignalRReader(sink);
  const stream = await openStream(url, { accept: 'text/event-stream' });
  if (stream.statusCode !== 200) throw new Error(`event stream answered ${stream.statusCode}`);
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 4);
      const data = event
        .split('\r\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
        .join('\n');
      if (data.length > 0) reader.read(data);
    }
  });
  stream.on('error', () => {});
  await fetchText(url, 'POST', handshake);
  await reader.handshake;
  return {
    async echo(value) {
      const { text, done } = reader.invocation(value);
      await fetchText(url, 'POST', text);
      await done;
    },
    close() {
      stream.destroy();
      void fetchText(url, 'DELETE').catch(() => {});
    },
  };
}

async function signalrLongPolling(base: string, sink: MessageSink): Promise<LightClient> {
  const hub = `${base}/bench`;
  const token = await negotiate(hub);
  const url = `${hub}?id=${encodeURIComponent(token)}`;
  const reader = new SignalRReader(sink);
  let open = true;
  const first = await fetchText(url, 'GET');
  if (first.status !== 200) throw new Error(`first poll answered ${first.status}`);
  if (first.body.length > 0) reader.read(first.body);
  void (async () => {
    while (open) {
      const { status, body } = await fetchText(url, 'GET').catch(() => ({ status: 0, body: '' }));
      if (status !== 200) break;
      if (body.length > 0) reader.read(body);
    }
  })();
  await fetchText(url, 'POST', handshake);
  await reader.handshake;
  return {
    async echo(value) {
      const { text, done } = reader.invocation(value);
      await fetchText(url, 'POST', text);
      await done;
    },
    close() {
      open = false;
      void fetchText(url, 'DELETE').catch(() => {});
    },
  };
}

async function rawWebSocket(base: string, sink: MessageSink): Promise<LightClient> {
  const pending = new Map<number, () => void>();
  let nextId = 0;
  const socket = await openWebSocket(base.replace(/^http/, 'ws'), (data) => {
    sink.frame();
    const message = JSON.parse(data.toString()) as unknown[];
    if (message.length === 3) sink.message(message[0] as number, message[1] as number);
    else {
      const done = pending.get(message[0] as number);
      pending.delete(message[0] as number);
      done?.();
    }
  });
  return {
    echo(value) {
      const id = nextId++;
      const done = new Promise<void>((resolve) => pending.set(id, resolve));
      socket.send(JSON.stringify([id, value]));
      return done;
    },
    close: () => socket.terminate(),
  };
}

/** Socket.IO over its WebSocket transport, spoken directly: engine.io packets carrying socket.io packets. */
async function socketIoWebSocket(base: string, sink: MessageSink): Promise<LightClient> {
  const pending = new Map<number, () => void>();
  let nextId = 0;
  let connected: () => void = () => {};
  const ready = new Promise<void>((resolve) => (connected = resolve));
  const socket = await openWebSocket(`${base.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, (data, open) => {
    sink.frame();
    const text = data.toString();
    if (text.startsWith('0')) open.send('40'); // engine.io open → socket.io connect to '/'
    else readSocketIoPacket(text, sink, pending, (reply) => open.send(reply), connected);
  });
  await ready;
  return {
    echo(value) {
      const id = nextId++;
      const done = new Promise<void>((resolve) => pending.set(id, resolve));
      socket.send(`42${id}${JSON.stringify(['echo', value])}`);
      return done;
    },
    close: () => socket.terminate(),
  };
}

/** The socket.io packets of one engine.io packet: messages, acknowledgements; answers pings through `reply`. */
function readSocketIoPacket(text: string, sink: MessageSink, pending: Map<number, () => void>, reply: (text: string) => void, connected: () => void): void {
  if (text === '2') reply('3'); // engine.io ping → pong
  else if (text.startsWith('40')) connected();
  else if (text.startsWith('42')) {
    const event = JSON.parse(text.slice(2)) as unknown[];
    if (event[0] === 'message') sink.message(event[1] as number, event[2] as number);
  } else if (text.startsWith('43')) {
    const id = Number(text.slice(2, text.indexOf('[')));
    const done = pending.get(id);
    pending.delete(id);
    done?.();
  }
}

/** Socket.IO over engine.io long polling (protocol 4: packets in a body separated by 0x1E). */
async function socketIoLongPolling(base: string, sink: MessageSink): Promise<LightClient> {
  const open = await fetchText(`${base}/socket.io/?EIO=4&transport=polling`, 'GET');
  if (open.status !== 200 || !open.body.startsWith('0')) throw new Error(`engine.io open answered ${open.status}: ${open.body}`);
  const sid = (JSON.parse(open.body.slice(1)) as { sid: string }).sid;
  const url = `${base}/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`;
  const pending = new Map<number, () => void>();
  let nextId = 0;
  let polling = true;
  let connected: () => void = () => {};
  const ready = new Promise<void>((resolve) => (connected = resolve));
  const post = (text: string): void => void fetchText(url, 'POST', text).catch(() => {});
  void (async () => {
    while (polling) {
      const { status, body } = await fetchText(url, 'GET').catch(() => ({ status: 0, body: '' }));
      if (status !== 200) break;
      if (body.length > 0) sink.frame();
      for (const packet of body.split(RS)) readSocketIoPacket(packet, sink, pending, post, connected);
    }
  })();
  await fetchText(url, 'POST', '40');
  await ready;
  return {
    echo(value) {
      const id = nextId++;
      const done = new Promise<void>((resolve) => pending.set(id, resolve));
      post(`42${id}${JSON.stringify(['echo', value])}`);
      return done;
    },
    close() {
      polling = false;
      post('1');
    },
  };
}

/** The baseline: ask for new messages every second. */
async function regularPoll(base: string, sink: MessageSink): Promise<LightClient> {
  // Start from the newest message: a client sees what is sent after it connected, like the others.
  const initial = JSON.parse((await fetchText(`${base}/poll?after=-1`, 'GET')).body) as Array<[number, number, string]>;
  let after = initial.at(-1)?.[0] ?? -1;
  const timer = setInterval(() => {
    void fetchText(`${base}/poll?after=${after}`, 'GET')
      .then(({ body }) => {
        const messages = JSON.parse(body) as Array<[number, number, string]>;
        if (messages.length > 0) sink.frame();
        for (const [seq, sentAt] of messages) {
          after = seq;
          sink.message(seq, sentAt);
        }
      })
      .catch(() => {});
  }, 1_000);
  return {
    echo: () => Promise.reject(new Error('regular polling has no echo')),
    close: () => clearInterval(timer),
  };
}

export const connectors: Record<ClientKind, (base: string, sink: MessageSink) => Promise<LightClient>> = {
  'signalr-ws': signalrWebSocket,
  'signalr-sse': signalrServerSentEvents,
  'signalr-lp': signalrLongPolling,
  'raw-ws': rawWebSocket,
  'socketio-ws': socketIoWebSocket,
  'socketio-lp': socketIoLongPolling,
  poll: regularPoll,
};
