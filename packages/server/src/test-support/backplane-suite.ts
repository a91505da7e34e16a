/**
 * The suite every backplane passes (style rule 6): the byte-moving contract of `Backplane` against the
 * real broker, then the cluster behaviour of `ScaledHubLifetimeManager` over it (cluster-suite.ts).
 * Each backplane package calls `runBackplaneSuite(name, factory)` from its own tests.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Channel, Unsubscribe } from '../scaleout/backplane.js';
import { BackplanePool, Inbox, uniqueHub, type BackplaneFactory } from './backplane-pool.js';
import { runClusterSuite } from './cluster-suite.js';

export type { BackplaneFactory } from './backplane-pool.js';

const text = (value: string): Uint8Array => Buffer.from(value, 'utf8');

export function runBackplaneSuite(name: string, factory: BackplaneFactory): void {
  describe(`${name} backplane`, () => {
    const pool = new BackplanePool(factory);
    after(() => pool.closeAll());

    test('delivers a payload byte for byte to every subscriber, the publisher included', async () => {
      const [a, b] = [await pool.create(), await pool.create()];
      const channel: Channel = { kind: 'group', hub: uniqueHub(), group: 'g' };
      const [atA, atB] = [new Inbox(), new Inbox()];
      await a.subscribe(channel, atA.onPayload);
      await b.subscribe(channel, atB.onPayload);
      const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
      const large = randomBytes(300_000);
      await a.publish(channel, everyByte);
      await b.publish(channel, large);
      for (const inbox of [atA, atB]) {
        const [first, second] = await inbox.waitFor(2);
        assert.deepEqual(Buffer.from(first!), Buffer.from(everyByte));
        assert.ok(Buffer.from(second!).equals(large));
      }
    });

    test('keeps channels apart by kind, name and hub, whatever characters names hold', async () => {
      const [a, b] = [await pool.create(), await pool.create()];
      const [hub, otherHub] = [uniqueHub(), uniqueHub()];
      const names = ['plain', 'a.b', 'a.*', '>', 'with space', 'a:b', 'ünï©ødé', '', '%41', 'tab\tnew\nline', 'x'.repeat(300)];
      const channels: Channel[] = [
        { kind: 'all', hub },
        { kind: 'all', hub: otherHub },
        { kind: 'groupCommands', hub },
        { kind: 'ack', hub, serverId: a.serverId },
        { kind: 'return', hub, serverId: a.serverId },
        { kind: 'ack', hub, serverId: b.serverId },
        ...names.flatMap((value): Channel[] => [
          { kind: 'group', hub, group: value },
          { kind: 'user', hub, userId: value },
          { kind: 'connection', hub, connectionId: value },
        ]),
        { kind: 'group', hub: otherHub, group: 'plain' },
      ];
      const inboxes = channels.map(() => new Inbox());
      await Promise.all(channels.map((channel, i) => b.subscribe(channel, inboxes[i]!.onPayload)));
      await Promise.all(channels.map((_, i) => a.publish(channels[i]!, text(`own ${i}`))));
      // A second round on every channel: once each inbox has its own two, nothing else is in flight.
      await Promise.all(channels.map((_, i) => a.publish(channels[i]!, text(`end ${i}`))));
      for (const [i, inbox] of inboxes.entries()) {
        await inbox.waitFor(2, `channel ${JSON.stringify(channels[i])}`);
        assert.deepEqual(inbox.texts(), [`own ${i}`, `end ${i}`], `channel ${JSON.stringify(channels[i])}`);
      }
    });

    test('delivers the payloads of one publisher on one channel in publish order', async () => {
      const [a, b] = [await pool.create(), await pool.create()];
      const channel: Channel = { kind: 'all', hub: uniqueHub() };
      const inbox = new Inbox();
      await b.subscribe(channel, inbox.onPayload);
      const expected = Array.from({ length: 500 }, (_, i) => `m${i}`);
      await Promise.all(expected.map((value) => a.publish(channel, text(value))));
      await inbox.waitFor(expected.length);
      assert.deepEqual(inbox.texts(), expected);
    });

    test('keeps several subscriptions of one channel independent', async () => {
      const [a, b] = [await pool.create(), await pool.create()];
      const channel: Channel = { kind: 'user', hub: uniqueHub(), userId: 'u' };
      const [first, second, third] = [new Inbox(), new Inbox(), new Inbox()];
      const unsubscribeFirst = await b.subscribe(channel, first.onPayload);
      const unsubscribeSecond = await b.subscribe(channel, second.onPayload);
      await a.publish(channel, text('p1'));
      await first.waitFor(1);
      await second.waitFor(1);
      await unsubscribeFirst();
      await unsubscribeFirst(); // idempotent
      await a.publish(channel, text('p2'));
      await second.waitFor(2);
      assert.deepEqual(first.texts(), ['p1']);
      await unsubscribeSecond();
      const unsubscribeThird: Unsubscribe = await b.subscribe(channel, third.onPayload);
      await a.publish(channel, text('p3'));
      await third.waitFor(1);
      assert.deepEqual(third.texts(), ['p3']);
      assert.deepEqual(second.texts(), ['p1', 'p2']);
      await unsubscribeThird();
    });

    test('a subscription made while another of the same channel is being dropped still receives', async () => {
      const [a, b] = [await pool.create(), await pool.create()];
      const channel: Channel = { kind: 'group', hub: uniqueHub(), group: 'churn' };
      const old = new Inbox();
      const unsubscribeOld = await b.subscribe(channel, old.onPayload);
      const fresh = new Inbox();
      // Leave and rejoin at once, as a group's last member leaving while a new one joins.
      const [, subscribed] = await Promise.all([unsubscribeOld(), b.subscribe(channel, fresh.onPayload)]);
      await a.publish(channel, text('after'));
      await fresh.waitFor(1);
      assert.deepEqual(fresh.texts(), ['after']);
      await subscribed();
    });

    test('gives every server its own id, and a closed backplane refuses to publish', async () => {
      const [a, b, c] = [await pool.create(), await pool.create(), await pool.create()];
      assert.equal(new Set([a.serverId, b.serverId, c.serverId]).size, 3);
      const channel: Channel = { kind: 'all', hub: uniqueHub() };
      const inbox = new Inbox();
      await c.subscribe(channel, inbox.onPayload);
      await a.close();
      await a.close(); // idempotent
      await assert.rejects(a.publish(channel, text('late')));
      await b.publish(channel, text('still'));
      await inbox.waitFor(1);
      assert.deepEqual(inbox.texts(), ['still']);
    });

    runClusterSuite(pool);
  });
}
