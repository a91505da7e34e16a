/**
 * A load process of the c100k run, forked with an IPC channel: opens its share of light hub
 * connections (a `ws` socket bound to a loopback source address, the SignalR JSON handshake, then
 * only Pings and counting), reports progress, the receipts of each broadcast, its CPU, and closes
 * them all on request. Far lighter than the official client, which a few extra connections prove.
 */
import { Agent, request } from 'node:http';
import WebSocket from 'ws';
import { interleave, type PortRange } from './plan.js';
import { nowMs, type ConnectCommand, type FromLoader, type LoadTarget, type ToLoader } from './messages.js';

const RS = '\x1e';
const HANDSHAKE = `{"protocol":"json","version":1}${RS}`;
const PING = `{"type":6}${RS}`;

const send = (message: FromLoader): void => void process.send?.(message);

/** Every connection this process opened, by index; typed arrays keep 19k of them cheap. */
class Connections {
  readonly sockets: (WebSocket | undefined)[] = [];
  receivedId = new Int32Array(0);
  delaysMs = new Float64Array(0);
  copies = new Uint8Array(0);
  dropped = 0;
  closing = false;
  expectedId = -1;
  received = 0;
  duplicates = 0;

  reserve(count: number): void {
    this.receivedId = new Int32Array(count).fill(-1);
    this.delaysMs = new Float64Array(count);
    this.copies = new Uint8Array(count);
  }

  get open(): number {
    return this.sockets.reduce((open, socket) => open + (socket !== undefined ? 1 : 0), 0);
  }

  /** A text frame of connection `index` once its handshake is done: Pings, Messages, Close. */
  onFrame(index: number, text: string): void {
    if (text === PING) return;
    for (const record of text.split(RS)) {
      if (record.length === 0 || record === '{"type":6}') continue;
      const message = JSON.parse(record) as { type: number; target?: string; arguments?: unknown[] };
      if (message.type === 1 && message.target === 'Message') {
        const [id, sentAt] = message.arguments as [number, number];
        if (id !== this.expectedId) continue;
        if (this.receivedId[index] === id) {
          this.duplicates++;
          continue;
        }
        this.receivedId[index] = id;
        this.delaysMs[index] = nowMs() - sentAt;
        this.received++;
        scheduleReceivedReport();
      }
    }
  }
}

const connections = new Connections();
let reportPending = false;
function scheduleReceivedReport(): void {
  if (reportPending) return;
  reportPending = true;
  setTimeout(() => {
    reportPending = false;
    send({ type: 'received', count: connections.received });
  }, 20);
}

/** POST negotiate (version 1) from `address`; resolves the connection token. */
function negotiate(agent: Agent, target: LoadTarget, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: target.port, path: `${path}/negotiate?negotiateVersion=1`, method: 'POST', localAddress: target.address, agent },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`negotiate ${res.statusCode}`));
          resolve((JSON.parse(body) as { connectionToken: string }).connectionToken);
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => reject(Object.assign(new Error(error.message), { code: `negotiate ${error.code ?? 'error'}` })));
    req.end();
  });
}

/** The ports of one address's range in turn, from a random start, each once. */
class PortCursor {
  readonly #range: PortRange;
  readonly #start: number;
  #taken = 0;

  constructor(range: PortRange) {
    this.#range = range;
    this.#start = Math.floor(Math.random() * (range.last - range.first + 1));
  }

  next(): number | undefined {
    const size = this.#range.last - this.#range.first + 1;
    if (this.#taken >= size) return undefined;
    return this.#range.first + ((this.#start + this.#taken++) % size);
  }
}

/** Opens connection `index` to `target` from `localPort`; resolves once the hub handshake is answered. */
function connectOne(index: number, target: LoadTarget, localPort: number, command: ConnectCommand, agent: Agent): Promise<void> {
  const opened = async (): Promise<WebSocket> => {
    const query = command.transport === 'negotiate' ? `?id=${encodeURIComponent(await negotiate(agent, target, command.path))}` : '';
    return new WebSocket(`ws://127.0.0.1:${target.port}${command.path}${query}`, {
      localAddress: target.address,
      localPort,
      perMessageDeflate: false,
      handshakeTimeout: 60_000,
    });
  };
  return opened().then(
    (socket) =>
      new Promise<void>((resolve, reject) => {
        let handshaken = false;
        socket.on('open', () => socket.send(HANDSHAKE));
        socket.on('error', (error) => {
          if (!handshaken) reject(error);
        });
        socket.on('close', () => {
          if (!handshaken) return reject(new Error('closed before the handshake answer'));
          connections.sockets[index] = undefined;
          if (!connections.closing) connections.dropped++;
        });
        socket.on('message', (data: Buffer) => {
          const text = data.toString();
          if (handshaken) return connections.onFrame(index, text);
          const end = text.indexOf(RS);
          const answer = text.slice(0, end);
          if (answer !== '{}') return reject(new Error(`handshake refused: ${answer}`));
          handshaken = true;
          connections.sockets[index] = socket;
          resolve();
          if (end + 1 < text.length) connections.onFrame(index, text.slice(end + 1));
        });
      }),
  );
}

function failureReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return (error instanceof Error ? error.message : String(error)).slice(0, 80);
}

async function connectAll(command: ConnectCommand): Promise<void> {
  const targets = interleave(command.targets.map((target) => ({ ...target, server: 0 })));
  connections.reserve(targets.length);
  const agent = new Agent({ keepAlive: true, maxSockets: command.concurrency });
  const connectMs: number[] = [];
  const failures: Record<string, number> = {};
  const cursors = new Map(Object.entries(command.ports).map(([address, range]) => [address, new PortCursor(range)]));
  let portsSkipped = 0;
  let failed = 0;
  let opened = 0;
  let next = 0;
  const started = nowMs();
  const progress = setInterval(() => send({ type: 'progress', open: opened, failed }), 500);
  const lane = async (): Promise<void> => {
    while (next < targets.length) {
      const index = next++;
      const target = targets[index]!;
      const begun = nowMs();
      for (;;) {
        const port = cursors.get(target.address)?.next();
        try {
          if (port === undefined) throw new Error(`no free local port left on ${target.address}`);
          await connectOne(index, target, port, command, agent);
          connectMs.push(nowMs() - begun);
          opened++;
        } catch (error) {
          const reason = failureReason(error);
          if (reason === 'EADDRINUSE') {
            portsSkipped++; // another listener or a TIME_WAIT holds it: the next port
            continue;
          }
          failed++;
          failures[reason] = (failures[reason] ?? 0) + 1;
        }
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: command.concurrency }, lane));
  clearInterval(progress);
  agent.destroy();
  startPinging(command.pingIntervalMs);
  send({ type: 'connected', open: connections.open, failed, failures, portsSkipped, connectMs, seconds: (nowMs() - started) / 1000 });
}

let pinger: NodeJS.Timeout | undefined;
/** One timer for all: each second, the share of connections whose turn it is sends a Ping. */
function startPinging(intervalMs: number): void {
  const buckets = Math.max(1, Math.round(intervalMs / 1000));
  let tick = 0;
  pinger = setInterval(() => {
    const bucket = tick++ % buckets;
    const sockets = connections.sockets;
    for (let index = bucket; index < sockets.length; index += buckets) sockets[index]?.send(PING);
  }, 1000);
}

/** Closes one socket with a close handshake; true when it completed within `timeoutMs`, else terminates it. */
function closeOne(socket: WebSocket, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) return resolve(true);
    const timer = setTimeout(() => {
      socket.off('close', closed);
      socket.terminate();
      resolve(false);
    }, timeoutMs);
    const closed = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.once('close', closed);
    socket.close(1000);
  });
}

/** Closes every connection, `concurrency` close handshakes at a time (as the ramp opened them). */
async function closeAll(concurrency: number): Promise<void> {
  connections.closing = true;
  // Pings go on meanwhile: a connection waiting its turn to close must not hit the server's client timeout.
  const sockets = connections.sockets.filter((socket) => socket !== undefined);
  let clean = 0;
  let forced = 0;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < sockets.length) {
      if (await closeOne(sockets[next++]!, 30_000)) clean++;
      else forced++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  if (pinger !== undefined) clearInterval(pinger);
  // The coordinator disconnects once it has this, and this process then exits (0).
  finished = true;
  send({ type: 'closed', clean, forced });
}

process.on('message', (message: ToLoader) => {
  switch (message.type) {
    case 'connect':
      void connectAll(message);
      break;
    case 'cpu': {
      const cpu = process.cpuUsage();
      send({ type: 'cpu', cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage().rss });
      break;
    }
    case 'expect':
      connections.expectedId = message.id;
      connections.received = 0;
      connections.duplicates = 0;
      break;
    case 'delays': {
      const delaysMs: number[] = [];
      connections.receivedId.forEach((id, index) => {
        if (id === connections.expectedId) delaysMs.push(connections.delaysMs[index]!);
      });
      send({ type: 'delays', delaysMs, duplicates: connections.duplicates, dropped: connections.dropped });
      break;
    }
    case 'close':
      void closeAll(message.concurrency);
      break;
  }
});
// The coordinator gone before this process finished (crashed or killed) means nobody will ever say close.
let finished = false;
process.on('disconnect', () => process.exit(finished ? 0 : 3));
