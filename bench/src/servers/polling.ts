/**
 * The regular-polling baseline: a plain HTTP endpoint, written only for this comparison.
 * `GET /poll?after=<seq>` answers the JSON array of the messages `[seq, sentAt, payload]` with a
 * larger sequence number (the last 10,000 kept); clients ask every second.
 */
import { runServerAgent } from './server-agent.js';

const kept = 10_000;

await runServerAgent((server) => {
  const messages: Array<[number, number, string]> = [];
  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' || url.pathname !== '/poll') {
      res.writeHead(404).end();
      return;
    }
    const after = Number(url.searchParams.get('after') ?? -1);
    // Messages are in sequence order: find the first newer one from the end.
    let start = messages.length;
    while (start > 0 && messages[start - 1]![0] > after) start--;
    const body = JSON.stringify(messages.slice(start));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
  });
  return {
    send(seq, sentAt, payload) {
      messages.push([seq, sentAt, payload]);
      if (messages.length > kept) messages.splice(0, messages.length - kept);
    },
    connections: () => -1,
    close: () => Promise.resolve(),
  };
});
