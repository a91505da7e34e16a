/**
 * Light SignalR clients (JSON hub protocol) over WebSockets (no negotiate), Server-Sent Events and
 * long polling: the handshake, then records separated by 0x1E, spoken directly on raw `ws` and
 * node:http.
 */
import { fetchText, negotiate, openStream } from './http.js';
import { openWebSocket, RS, type LightClient, type MessageSink } from './light-client.js';

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

/**
 * The part SSE and long polling share once their receiving side is open: the handshake and each
 * invocation POSTed to the connection's URL, and on close the transport's own teardown (`stopReceiving`)
 * then a DELETE that ends the connection on the server.
 */
async function handshakeOverHttp(url: string, reader: SignalRReader, stopReceiving: () => void): Promise<LightClient> {
  await fetchText(url, 'POST', handshake);
  await reader.handshake;
  return {
    async echo(value) {
      const { text, done } = reader.invocation(value);
      await fetchText(url, 'POST', text);
      await done;
    },
    close() {
      stopReceiving();
      void fetchText(url, 'DELETE').catch(() => {});
    },
  };
}

/** Opens a WebSocket with its message listener already attached: a server may speak first, in the same chunk as the upgrade. */
export async function signalrWebSocket(base: string, sink: MessageSink): Promise<LightClient> {
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

export async function signalrServerSentEvents(base: string, sink: MessageSink): Promise<LightClient> {
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
  return handshakeOverHttp(url, reader, () => stream.destroy());
}

export async function signalrLongPolling(base: string, sink: MessageSink): Promise<LightClient> {
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
  return handshakeOverHttp(url, reader, () => {
    open = false;
  });
}
