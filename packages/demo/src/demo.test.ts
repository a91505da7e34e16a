import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as signalR from '@microsoft/signalr';
import type { ChatMessage, DirectMessage, TickerFrame, Welcome } from './contract.js';
import { startDemoServer, type DemoServer } from './demo-server.js';

async function connect(t: { after(fn: () => Promise<void>): void }, demo: DemoServer, user: string): Promise<signalR.HubConnection> {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${demo.url}/hubs/demo?user=${user}`)
    .configureLogging(signalR.LogLevel.None)
    .build();
  await connection.start();
  t.after(() => connection.stop());
  return connection;
}

test('the built web app is served, and unknown paths are 404', async (t) => {
  const demo = await startDemoServer({ port: 0 });
  t.after(() => demo.close());
  const page = await fetch(`${demo.url}/`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<title>Switchyard demo<\/title>/);
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(script !== undefined, 'the page loads a bundled script');
  const bundle = await fetch(`${demo.url}${script}`);
  assert.equal(bundle.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.ok((await bundle.text()).length > 10_000);
  assert.equal((await fetch(`${demo.url}/nope.js`)).status, 404);
  assert.equal((await fetch(`${demo.url}/../package.json`)).status, 404);
});

test('GET /metrics reports the connections by transport in the Prometheus text format', async (t) => {
  const demo = await startDemoServer({ port: 0 });
  t.after(() => demo.close());
  const connection = await connect(t, demo, 'Ahmet');
  await connection.invoke('Welcome');
  const response = await fetch(`${demo.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await response.text();
  assert.match(text, /^switchyard_connections\{transport="WebSockets"\} 1$/m);
  assert.match(text, /^switchyard_hub_messages_received_total\{hub="[^"]+",protocol="json"\} [1-9]/m);
});

test('the official client chats in a room, gets its history, sends a direct message and reads the ticker', async (t) => {
  const demo = await startDemoServer({ port: 0 });
  t.after(() => demo.close());
  const ahmet = await connect(t, demo, 'Ahmet');
  const mehmet = await connect(t, demo, 'Mehmet');
  const welcome = await ahmet.invoke<Welcome>('Welcome');
  assert.deepEqual([welcome.user, welcome.transport, welcome.backplane], ['Ahmet', 'WebSockets', 'none']);

  const received = new Promise<ChatMessage>((resolve) => mehmet.on('message', resolve));
  await mehmet.invoke('join', 'lobby');
  await ahmet.invoke('join', 'lobby');
  await ahmet.invoke('say', 'lobby', 'Merhaba');
  assert.deepEqual(pick(await received), { room: 'lobby', from: 'Ahmet', text: 'Merhaba' });

  // Whoever joins later gets the room's recent messages.
  const latecomer = await connect(t, demo, 'Ayse');
  const history = await latecomer.invoke<ChatMessage[]>('join', 'lobby');
  assert.deepEqual(history.map(pick), [{ room: 'lobby', from: 'Ahmet', text: 'Merhaba' }]);

  const direct = new Promise<DirectMessage>((resolve) => mehmet.on('direct', resolve));
  await ahmet.invoke('direct', 'Mehmet', 'Nasılsın?');
  const dm = await direct;
  assert.deepEqual([dm.from, dm.to, dm.text], ['Ahmet', 'Mehmet', 'Nasılsın?']);

  const frames = await new Promise<TickerFrame[]>((resolve, reject) => {
    const items: TickerFrame[] = [];
    const subscription = ahmet.stream<TickerFrame>('ticker').subscribe({
      next(frame) {
        items.push(frame);
        if (items.length === 2) {
          subscription.dispose();
          resolve(items);
        }
      },
      error: reject,
      complete: () => reject(new Error('the ticker ended')),
    });
  });
  assert.equal(frames[0]!.prices.length, 36);
  assert.ok(frames[1]!.at > frames[0]!.at);

  await assert.rejects(ahmet.invoke('say', 'nowhere', 'hi'), /There is no room 'nowhere'/);
  await assert.rejects(ahmet.invoke('say', 'lobby', ' '), /A text is required/);
});

function pick(message: ChatMessage): { room: string; from: string; text: string } {
  return { room: message.room, from: message.from, text: message.text };
}
