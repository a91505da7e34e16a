/**
 * A load-generating process: `--client <kind> --url <base>`; the harness asks it over IPC to
 * - `connect {count, concurrency}`: open `count` light clients;
 * - `arm {messages, latencies}` then `wait {timeoutMs}`: wait until every client received `messages`
 *   broadcasts; answers the monotonic time the last one arrived, the frames received and (when asked)
 *   every message's latency (receive time − send time);
 * - `echo {callers, calls, payloadBytes}`: `callers` clients each invoke echo `calls` times in a row;
 *   answers every round trip's duration;
 * - `close`: close every client.
 */
import { parseArgs } from 'node:util';
import { monotonicMs, serveRequests } from '../harness/agent-child.js';
import { connectors, type ClientKind, type LightClient } from './light-clients.js';

const { values } = parseArgs({ options: { client: { type: 'string' }, url: { type: 'string' } } });
const kind = values.client as ClientKind;
const base = values.url!;
const connect = connectors[kind];
if (connect === undefined) throw new Error(`unknown client kind ${kind}`);

const clients: LightClient[] = [];
let counts: number[] = [];
let expected = 0;
let remaining = 0;
let frames = 0;
let lastAt = 0;
let latencies: number[] | undefined;
let finished: () => void = () => {};

function onMessage(index: number, sentAt: number): void {
  const now = monotonicMs();
  latencies?.push(now - sentAt);
  if (++counts[index]! === expected) {
    lastAt = now;
    if (--remaining === 0) finished();
  }
}

async function open(body: Record<string, unknown>): Promise<{ connected: number }> {
  const count = Number(body['count']);
  const concurrency = Number(body['concurrency'] ?? 50);
  let next = clients.length;
  const end = clients.length + count;
  counts.length = end;
  counts.fill(0);
  const worker = async (): Promise<void> => {
    while (next < end) {
      const index = next++;
      clients[index] = await connect(base, { message: (_seq, sentAt) => onMessage(index, sentAt), frame: () => void frames++ });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { connected: clients.length };
}

let waiting: Promise<void> = Promise.resolve();

function arm(body: Record<string, unknown>): void {
  counts = new Array<number>(clients.length).fill(0);
  expected = Number(body['messages']);
  remaining = clients.length;
  frames = 0;
  lastAt = 0;
  latencies = body['latencies'] === true ? [] : undefined;
  waiting = new Promise((resolve) => (finished = resolve));
}

async function wait(body: Record<string, unknown>): Promise<{ lastAt: number; frames: number; latencies?: number[] }> {
  const timeoutMs = Number(body['timeoutMs'] ?? 60_000);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${remaining} of ${clients.length} clients incomplete after ${timeoutMs} ms (min ${Math.min(...counts)} of ${expected})`)), timeoutMs);
  });
  try {
    await Promise.race([waiting, timeout]);
  } finally {
    clearTimeout(timer);
  }
  return { lastAt, frames, ...(latencies === undefined ? {} : { latencies }) };
}

async function echo(body: Record<string, unknown>): Promise<{ latencies: number[]; elapsedMs: number }> {
  const callers = Math.min(Number(body['callers']), clients.length);
  const calls = Number(body['calls']);
  const value = 'x'.repeat(Number(body['payloadBytes'] ?? 32));
  const results: number[] = [];
  const started = monotonicMs();
  await Promise.all(
    clients.slice(0, callers).map(async (client) => {
      for (let i = 0; i < calls; i++) {
        const start = monotonicMs();
        await client.echo(value);
        results.push(monotonicMs() - start);
      }
    }),
  );
  return { latencies: results, elapsedMs: monotonicMs() - started };
}

function close(): void {
  for (const client of clients.splice(0)) client.close();
}

serveRequests({ pid: process.pid }, { connect: open, arm, wait, echo, close }, () => {
  close();
  return Promise.resolve();
});
