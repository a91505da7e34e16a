/**
 * A Switchyard server for the cluster benchmark: `Broadcast(seq, text)` sends `Message(seq, text)`
 * to every other connection of the site, through the backplane given as `--backplane`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Hub, Switchyard } from '@switchyard/server';
import { createBackplane } from '@switchyard/conformance/backplane-url';

class BenchHub extends Hub {
  /** A round trip that proves the connection is registered (its subscriptions made). */
  ready(): boolean {
    return true;
  }

  async broadcast(seq: number, text: string): Promise<void> {
    await this.clients.others.send('Message', seq, text);
  }
}

const { values } = parseArgs({ options: { backplane: { type: 'string' }, prefix: { type: 'string', default: 'bench' } } });
const url = values.backplane ?? 'redis://127.0.0.1:6379';
const backplane = await createBackplane(url, undefined, values.prefix);
const app = new Switchyard({ backplane });
app.mapHub('/bench', BenchHub);
const server = createServer();
app.attach(server);
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${(server.address() as AddressInfo).port}`));
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => backplane.close())
    .finally(() => process.exit(0));
});
