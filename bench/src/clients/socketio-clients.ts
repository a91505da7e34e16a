/**
 * Light Socket.IO 4 clients, spoken directly: engine.io packets carrying socket.io packets, over a
 * WebSocket or over engine.io long polling (packets in a body separated by 0x1E).
 */
import { fetchText } from './http.js';
import { openWebSocket, RS, type LightClient, type MessageSink } from './light-client.js';

/** Socket.IO over its WebSocket transport, spoken directly: engine.io packets carrying socket.io packets. */
export async function socketIoWebSocket(base: string, sink: MessageSink): Promise<LightClient> {
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
export async function socketIoLongPolling(base: string, sink: MessageSink): Promise<LightClient> {
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
