import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as signalR from '@microsoft/signalr';
import { startDemoServer } from './demo-server.js';

test('the demo page and the browser client are served', async (t) => {
  const demo = await startDemoServer({ port: 0 });
  t.after(() => demo.close());
  const page = await fetch(`${demo.url}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Switchyard chat/);
  const script = await fetch(`${demo.url}/signalr.min.js`);
  assert.equal(script.status, 200);
  assert.ok((await script.text()).length > 10_000);
  assert.equal((await fetch(`${demo.url}/nope`)).status, 404);
});

test('two people chat in a room through the chat hub', async (t) => {
  const demo = await startDemoServer({ port: 0 });
  t.after(() => demo.close());
  const connect = async (): Promise<signalR.HubConnection> => {
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`${demo.url}/hubs/chat`)
      .configureLogging(signalR.LogLevel.None)
      .build();
    await connection.start();
    t.after(() => connection.stop());
    return connection;
  };
  const ahmet = await connect();
  const mehmet = await connect();
  const received = new Promise<string[]>((resolve) => {
    mehmet.on('Message', (room: string, name: string, text: string) => resolve([room, name, text]));
  });
  await mehmet.invoke('Join', 'lobby', 'Mehmet');
  await ahmet.invoke('Join', 'lobby', 'Ahmet');
  await ahmet.invoke('Say', 'Merhaba');
  assert.deepEqual(await received, ['lobby', 'Ahmet', 'Merhaba']);
  assert.equal(await ahmet.invoke('Transport'), 'WebSockets');
  await assert.rejects(ahmet.invoke('Say', ''), /A text is required\./);
});
