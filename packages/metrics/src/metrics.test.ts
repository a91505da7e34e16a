/**
 * The metrics through real traffic: the official client on every transport, a slow consumer, and a
 * backplane publish, each followed by a scrape of /metrics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub, InMemoryBus, type TransportKind } from '@switchyard/server';
import { officialClient, scrapeUntil, startMeteredApp } from './test-support/scrape.js';

class MeteredHub extends Hub {
  echo(text: string): string {
    return text;
  }
  fail(): never {
    throw new Error('boom');
  }
  async greet(): Promise<void> {
    await this.clients.caller.send('Greeting', 'hi');
  }
  async flood(): Promise<void> {
    await this.clients.caller.send('Flood', 'x'.repeat(8192));
  }
  async broadcast(text: string): Promise<void> {
    await this.clients.all.send('Broadcast', text);
  }
}
// One hub class per transport, so each transport's message counts have their own `hub` label.
class WebSocketsHub extends MeteredHub {}
class ServerSentEventsHub extends MeteredHub {}
class LongPollingHub extends MeteredHub {}
const hubs: Record<TransportKind, typeof MeteredHub> = {
  WebSockets: WebSocketsHub,
  ServerSentEvents: ServerSentEventsHub,
  LongPolling: LongPollingHub,
};
const quiet = { keepAliveIntervalMs: 60_000 } as const;

test('connections, messages, bytes and invocation errors on every transport', async () => {
  const server = await startMeteredApp((app) => {
    for (const [transport, hub] of Object.entries(hubs)) app.mapHub(`/${transport}`, hub, quiet);
  });
  try {
    const bytes: Record<string, [sent: number, received: number]> = {};
    for (const [transport, hub] of Object.entries(hubs) as [TransportKind, typeof MeteredHub][]) {
      const connection = officialClient(`${server.baseUrl}/${transport}`, transport);
      const greeted = new Promise((resolve) => connection.on('Greeting', resolve));
      await connection.start();
      assert.equal(await connection.invoke('echo', 'a'), 'a');
      assert.equal(await connection.invoke('echo', 'b'), 'b');
      await assert.rejects(connection.invoke('fail'));
      await assert.rejects(connection.invoke('missing'));
      await connection.invoke('greet');
      await greeted;

      const t = `transport="${transport}"`;
      const h = `hub="${hub.name}"`;
      const open = await server.scrape();
      assert.equal(open.get(`switchyard_connections{${t}}`), 1);
      assert.equal(open.get(`switchyard_connections_opened_total{${t}}`), 1);
      // echo, echo, fail, missing, greet; and the Ping the client sends on start, except on long polling
      // (whose polls keep it alive)
      const pings = transport === 'LongPolling' ? 0 : 1;
      assert.equal(open.get(`switchyard_hub_messages_received_total{${h},protocol="json"}`), 5 + pings);
      // four Completions, then the Greeting and greet's Completion (the handshake response is no hub message)
      assert.equal(open.get(`switchyard_hub_messages_sent_total{${h},protocol="json"}`), 6);
      assert.equal(open.get(`switchyard_hub_invocation_errors_total{${h},reason="exception"}`), 1);
      assert.equal(open.get(`switchyard_hub_invocation_errors_total{${h},reason="unknown_method"}`), 1);
      bytes[transport] = [open.get(`switchyard_bytes_sent_total{${t}}`)!, open.get(`switchyard_bytes_received_total{${t}}`)!];

      await connection.stop();
      const closed = await scrapeUntil(server, (s) => s.get(`switchyard_connections{${t}}`) === 0);
      assert.equal(closed.get(`switchyard_connections_closed_total{${t},reason="normal"}`), 1);
      assert.equal(closed.get(`switchyard_connections_opened_total{${t}}`), 1);
    }
    // The same conversation carries the same hub-protocol bytes whatever the transport (framing aside),
    // less the start Ping, {"type":6} and its separator, on long polling.
    const [sent, received] = bytes['WebSockets']!;
    assert.ok(sent > 0 && received > 0);
    assert.deepEqual(bytes['ServerSentEvents'], [sent, received]);
    assert.deepEqual(bytes['LongPolling'], [sent, received - '{"type":6}\x1e'.length]);
  } finally {
    await server.close();
  }
});

test('a slow consumer: the dropped payload and the close reason', async () => {
  const server = await startMeteredApp((app) => app.mapHub('/small', WebSocketsHub, { ...quiet, maxBufferedBytes: 4096 }));
  try {
    const connection = officialClient(`${server.baseUrl}/small`, 'WebSockets');
    const closed = new Promise((resolve) => connection.onclose(resolve));
    await connection.start();
    // The 8 KB message cannot fit a 4 KB buffer: dropped, and the connection closed.
    connection.invoke('flood').catch(() => {});
    await closed;
    const samples = await scrapeUntil(server, (s) => s.get('switchyard_connections{transport="WebSockets"}') === 0);
    assert.equal(samples.get('switchyard_outbound_dropped_total{transport="WebSockets",reason="buffer_full"}'), 1);
    assert.equal(samples.get('switchyard_connections_closed_total{transport="WebSockets",reason="slow_consumer"}'), 1);
  } finally {
    await server.close();
  }
});

test('refused requests count by reason', async () => {
  const server = await startMeteredApp(
    (app) => app.mapHub('/one', WebSocketsHub, { ...quiet, maxConnectionsPerAddress: 1 }),
    { cors: { origins: ['https://allowed.example'] } },
  );
  try {
    const first = officialClient(`${server.baseUrl}/one`, 'WebSockets');
    await first.start();
    // A second connection from the same address, then a foreign origin: 429 and 403.
    const limited = await fetch(`${server.baseUrl}/one/negotiate?negotiateVersion=1`, { method: 'POST' });
    assert.equal(limited.status, 429);
    const foreign = await fetch(`${server.baseUrl}/one/negotiate?negotiateVersion=1`, { method: 'POST', headers: { Origin: 'https://elsewhere.example' } });
    assert.equal(foreign.status, 403);
    const samples = await server.scrape();
    assert.equal(samples.get('switchyard_connections_refused_total{reason="address_limit"}'), 1);
    assert.equal(samples.get('switchyard_connections_refused_total{reason="origin"}'), 1);
    await first.stop();
  } finally {
    await server.close();
  }
});

test('backplane publishes show in the latency histogram, receipts in their counter', async () => {
  const bus = new InMemoryBus();
  const backplane = bus.createBackplane();
  const server = await startMeteredApp((app) => app.mapHub('/hub', WebSocketsHub, quiet), { backplane });
  try {
    const connection = officialClient(`${server.baseUrl}/hub`, 'WebSockets');
    const received = new Promise((resolve) => connection.on('Broadcast', resolve));
    await connection.start();
    await connection.invoke('broadcast', 'to all');
    assert.equal(await received, 'to all');
    const stats = server.app.backplaneStats!;
    assert.ok(stats.published >= 1);
    const h = 'hub="WebSocketsHub"';
    const samples = await scrapeUntil(server, (s) => s.get(`switchyard_backplane_messages_received_total{${h}}`) === server.app.backplaneStats!.received);
    const published = server.app.backplaneStats!.published;
    assert.equal(samples.get(`switchyard_backplane_publish_duration_seconds_count{${h}}`), published);
    assert.equal(samples.get(`switchyard_backplane_publish_duration_seconds_bucket{le="+Inf",${h}}`), published);
    assert.equal(samples.get(`switchyard_backplane_publish_errors_total{${h}}`), undefined);
    assert.ok(server.app.backplaneStats!.received >= 1);
    await connection.stop();
  } finally {
    await server.close();
    await backplane.close();
  }
});
