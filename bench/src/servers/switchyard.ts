/**
 * Switchyard under test: hub `/bench` on every transport, JSON protocol. `Echo(value)` returns it;
 * broadcasts go through the hub context (`clients.all.send('message', seq, sentAt, payload)`). No
 * lifecycle hooks, so an idle connection costs exactly what the framework needs. `--coalesce off`
 * sets the endpoint's `coalesceOutbound: false` (a frame and a write per message), to measure what
 * coalescing saves.
 */
import { parseArgs } from 'node:util';
import { Hub, Switchyard } from '@switchyard/server';
import { runServerAgent } from './server-agent.js';

class BenchHub extends Hub {
  echo(value: unknown): unknown {
    return value;
  }
}

const { values } = parseArgs({ options: { coalesce: { type: 'string', default: 'on' } } });

await runServerAgent((server) => {
  const app = new Switchyard();
  app.mapHub('/bench', BenchHub, { coalesceOutbound: values.coalesce !== 'off' });
  app.attach(server);
  const all = app.hubContext(BenchHub).clients.all;
  return {
    send(seq, sentAt, payload) {
      void all.send('message', seq, sentAt, payload);
    },
    connections: () => -1,
    close: () => app.close(),
  };
});
