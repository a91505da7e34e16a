/**
 * The server a fuzz test attacks: a hub app on port 0 with short timeouts (so whatever a hostile case
 * leaves behind is reaped within a few seconds), official-client bystanders on every transport, a
 * record of every uncaught error in the process, and raw TCP exchanges that bypass every client
 * library (hand-written HTTP requests and WebSocket frames reach the server byte for byte).
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Bystanders } from './bystanders.js';
import { startApp, type TestApp } from './e2e.js';
import { E2EHub } from '../e2e/e2e-hub.js';

/** Every 3-digit status the server may answer hostile input with: anything but a server error. */
export function assertNotServerError(status: number | undefined, what: string): void {
  if (status !== undefined) assert.ok(status < 500, `${what}: the server answered ${status}`);
}

/** Sockets the bystanders may hold: their transports plus idle keep-alive sockets of their HTTP pools. */
const MAX_BYSTANDER_SOCKETS = 20;

export interface FuzzTarget {
  readonly app: TestApp;
  /** `http://127.0.0.1:<port>/hub` */
  readonly hubUrl: string;
  readonly port: number;
  readonly bystanders: Bystanders;
  /** Connections the hub endpoint holds now (negotiated, open or closing): its public count. */
  liveConnections(): number;
  /** Fails if the process saw an uncaught exception or unhandled rejection since the start. */
  assertNoUncaughtErrors(): void;
  /** Waits until only the bystanders are left (hostile connections reaped), then checks they serve. */
  assertOnlyBystandersLeft(tag: string): Promise<void>;
  close(): Promise<void>;
}

/** The seed of a fuzz run: `FUZZ_SEED` to replay one, else a fresh one (printed by fast-check on failure). */
export function fuzzSeed(): number {
  const fromEnv = process.env['FUZZ_SEED'];
  return fromEnv === undefined ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number(fromEnv);
}

/** `runs` scaled by `FUZZ_SCALE` (default 1): `FUZZ_SCALE=20` for a long exploratory run. */
export function fuzzRuns(runs: number): number {
  const scale = Number(process.env['FUZZ_SCALE'] ?? '1');
  return Math.max(1, Math.round(runs * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

export async function startFuzzTarget(): Promise<FuzzTarget> {
  const uncaught: unknown[] = [];
  const record = (error: unknown): void => void uncaught.push(error);
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  const app = await startApp((hubs) =>
    hubs.mapHub('/hub', E2EHub, {
      handshakeTimeoutMs: 1000,
      // Long enough for a loaded machine to poll after negotiating, short enough to reap leftovers.
      disconnectTimeoutMs: 3000,
      longPollTimeoutMs: 1000,
      transportSendTimeoutMs: 2000,
      webSocketCloseTimeoutMs: 500,
      allowStatefulReconnect: true,
      maxRequestBodyBytes: 64 * 1024,
    }),
  );
  const hubUrl = `${app.baseUrl}/hub`;
  const bystanders = await Bystanders.start(hubUrl);
  const liveConnections = (): number => app.app.router.endpoints.reduce((sum, endpoint) => sum + endpoint.connectionCount, 0);
  const bystanderCount = liveConnections();
  const openSockets = (): Promise<number> =>
    new Promise((resolve, reject) => app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
  // The bystanders echo throughout, not only between batches: a hostile case that stalls the process
  // or disturbs another connection for a moment shows up here.
  const bystanderFailures: string[] = [];
  let echoing = true;
  const echoLoop = (async () => {
    for (let round = 1; echoing; round++) {
      await bystanders.assertServing(`echo round ${round}`).catch((error: unknown) => void bystanderFailures.push(String(error)));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  const stopEchoing = async (): Promise<void> => {
    echoing = false;
    await echoLoop;
  };
  return {
    app,
    hubUrl,
    port: Number(new URL(app.baseUrl).port),
    bystanders,
    liveConnections,
    assertNoUncaughtErrors() {
      assert.deepEqual(uncaught, [], 'uncaught errors in the server process');
      assert.deepEqual(bystanderFailures, [], 'a bystander stopped being served');
    },
    async assertOnlyBystandersLeft(tag) {
      const deadline = Date.now() + 10_000;
      while (liveConnections() !== bystanderCount && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(liveConnections(), bystanderCount, `${tag}: connections left behind by hostile cases`);
      // Sockets too: a refused or failed upgrade holds no connection, only its socket. The bystanders
      // and their keep-alive pools hold a few; hostile cases number in the hundreds.
      while ((await openSockets()) > MAX_BYSTANDER_SOCKETS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok((await openSockets()) <= MAX_BYSTANDER_SOCKETS, `${tag}: ${await openSockets()} sockets left open`);
      await bystanders.assertServing(tag);
      assert.deepEqual(uncaught, [], 'uncaught errors in the server process');
      assert.deepEqual(bystanderFailures, [], 'a bystander stopped being served');
    },
    async close() {
      await stopEchoing();
      await bystanders.stop();
      await app.close();
      process.off('uncaughtException', record);
      process.off('unhandledRejection', record);
    },
  };
}

export interface RawExchangeOptions {
  /** Give up waiting for more once nothing arrived for this long. @default 150 (ms) */
  readonly idleMs?: number;
  /** Pause between chunks, so the server sees them as separate reads. @default 0 (ms) */
  readonly gapMs?: number;
  /** End our side (FIN) after writing, instead of leaving it half-open. @default false */
  readonly endAfterWrite?: boolean;
}

/** What came back over one raw TCP connection. */
export interface RawReply {
  readonly bytes: Buffer;
  /** The HTTP status of the first response line, if one arrived. */
  readonly status: number | undefined;
  /** The server closed (or reset) the connection before we gave up. */
  readonly closedByServer: boolean;
}

/**
 * Opens a TCP connection to `port`, writes `chunks`, collects what comes back until the server
 * closes or goes quiet for `idleMs`, then destroys the socket (a client vanishing mid-anything).
 */
export function rawExchange(port: number, chunks: readonly Uint8Array[], options: RawExchangeOptions = {}): Promise<RawReply> {
  const idleMs = options.idleMs ?? 150;
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const received: Buffer[] = [];
    let closedByServer = false;
    let idle: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(idle);
      socket.destroy();
      const bytes = Buffer.concat(received);
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(bytes.subarray(0, 16).toString('latin1'));
      resolve({ bytes, status: match === null ? undefined : Number(match[1]), closedByServer });
    };
    const armIdle = (): void => {
      clearTimeout(idle);
      idle = setTimeout(finish, idleMs);
    };
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      armIdle();
    });
    socket.on('error', () => {
      closedByServer = true;
      finish();
    });
    socket.on('close', () => {
      closedByServer = true;
      finish();
    });
    socket.once('connect', () => {
      void (async () => {
        for (const chunk of chunks) {
          if (socket.destroyed) return;
          socket.write(chunk);
          if ((options.gapMs ?? 0) > 0) await new Promise((r) => setTimeout(r, options.gapMs));
        }
        if (options.endAfterWrite === true && !socket.destroyed) socket.end();
        armIdle();
      })();
    });
  });
}

/** Negotiates (version 1) with `fetch`, asking for stateful reconnect if `stateful`, and returns the connection token. */
export async function negotiateToken(hubUrl: string, stateful = false): Promise<string> {
  const response = await fetch(`${hubUrl}/negotiate?negotiateVersion=1${stateful ? '&useStatefulReconnect=true' : ''}`, { method: 'POST' });
  assert.equal(response.status, 200, 'negotiate');
  return ((await response.json()) as { connectionToken: string }).connectionToken;
}
