/**
 * Light load clients: each speaks one system's wire protocol directly (raw `ws` or node:http), so the
 * client side costs little and never is the bottleneck. SignalR over WebSockets, Server-Sent Events
 * and long polling (JSON hub protocol, handshake and records), raw ws, Socket.IO over a WebSocket and
 * over long polling, and the 1-second regular poll.
 */
import { fetchText } from './http.js';
import { openWebSocket, type ClientKind, type LightClient, type MessageSink } from './light-client.js';
import { signalrLongPolling, signalrServerSentEvents, signalrWebSocket } from './signalr-clients.js';
import { socketIoLongPolling, socketIoWebSocket } from './socketio-clients.js';

export type { ClientKind, LightClient, MessageSink } from './light-client.js';

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
