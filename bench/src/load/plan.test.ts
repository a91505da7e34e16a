import { test } from 'node:test';
import assert from 'node:assert/strict';
import { busyShare, parseProcStat } from './cpu.js';
import { parseOpenFileLimit, parsePortRange } from './limits.js';
import { interleave, loopbackAddresses, planLoad, PlanError, type MachineLimits } from './plan.js';

const machine: MachineLimits = { filesPerProcess: 20_000 };
const ports = { first: 32_768, last: 60_999 };
const addresses = loopbackAddresses(8);

test('100,000 connections fit 8 servers, 8 load processes and 8 addresses, every one placed once', () => {
  const plan = planLoad({ connections: 100_000, servers: 8, loaders: 8, addresses, limits: machine, ports });
  const placed = plan.loaders.flat().reduce((sum, slot) => sum + slot.count, 0);
  assert.equal(placed, 100_000);
  assert.deepEqual(plan.perServer, new Array(8).fill(12_500));
  for (const count of Object.values(plan.perAddress)) assert.ok(Math.abs(count - 12_500) <= 8, `address with ${count}`);
  assert.equal(Object.values(plan.perAddress).reduce((a, b) => a + b, 0), 100_000);
  assert.equal(plan.perLoader.reduce((a, b) => a + b, 0), 100_000);
  for (const count of plan.perLoader) assert.ok(Math.abs(count - 12_500) <= 64, `load process with ${count}`);
  // Slots agree with the totals.
  plan.loaders.forEach((slots, loader) => assert.equal(slots.reduce((sum, slot) => sum + slot.count, 0), plan.perLoader[loader]));
  for (let server = 0; server < 8; server++) {
    const onServer = plan.loaders.flat().filter((slot) => slot.server === server);
    assert.equal(onServer.reduce((sum, slot) => sum + slot.count, 0), plan.perServer[server]);
  }
});

test('every load process reaches every server from every address once there are enough connections', () => {
  const plan = planLoad({ connections: 3 * 4 * 2 * 5, servers: 3, loaders: 2, addresses: loopbackAddresses(4), limits: machine, ports });
  for (const slots of plan.loaders) {
    assert.equal(slots.length, 3 * 4);
    assert.equal(new Set(slots.map((slot) => `${slot.server}/${slot.address}`)).size, 12);
    for (const slot of slots) assert.equal(slot.count, 5);
  }
});

test('a small run spreads over servers first, leaving unused load processes empty', () => {
  const plan = planLoad({ connections: 10, servers: 4, loaders: 3, addresses, limits: machine, ports });
  assert.deepEqual(plan.perServer, [3, 3, 2, 2]);
  assert.deepEqual(plan.perLoader, [10, 0, 0]);
  assert.deepEqual(plan.loaders[1], []);
});

test('a plan past a limit names the option to raise', () => {
  const tooFewLoaders = () => planLoad({ connections: 100_000, servers: 8, loaders: 5, addresses, limits: machine, ports });
  assert.throws(tooFewLoaders, (error: unknown) => error instanceof PlanError && /raise --loaders/.test(error.message));
  const tooFewServers = () => planLoad({ connections: 100_000, servers: 5, loaders: 8, addresses, limits: machine, ports });
  assert.throws(tooFewServers, (error: unknown) => error instanceof PlanError && /raise --servers/.test(error.message));
  const tooFewAddresses = () => planLoad({ connections: 100_000, servers: 8, loaders: 8, addresses: loopbackAddresses(3), limits: machine, ports });
  assert.throws(tooFewAddresses, (error: unknown) => error instanceof PlanError && /raise --addresses/.test(error.message));
  // One address of 28,232 ports less the reserve of 1,000 holds 27,232.
  assert.throws(() => planLoad({ connections: 10, servers: 1, loaders: 1, addresses, limits: machine, ports: { first: 60_000, last: 70_000 } }), PlanError);
  assert.doesNotThrow(() => planLoad({ connections: 27_232, servers: 2, loaders: 2, addresses: ['127.0.0.2'], limits: machine, ports }));
  assert.throws(() => planLoad({ connections: 27_233, servers: 2, loaders: 2, addresses: ['127.0.0.2'], limits: machine, ports }), PlanError);
  assert.throws(() => planLoad({ connections: 0, servers: 1, loaders: 1, addresses, limits: machine, ports }), PlanError);
});

test('each load process binds its own share of the port range on each address, in proportion to its connections', () => {
  const plan = planLoad({ connections: 100_000, servers: 8, loaders: 8, addresses, limits: machine, ports: { first: 10_000, last: 32_767 } });
  for (const address of addresses) {
    const shares = plan.ports.map((own) => own[address]!).sort((x, y) => x.first - y.first);
    assert.equal(shares[0]!.first, 10_000);
    for (let i = 1; i < shares.length; i++) assert.equal(shares[i]!.first, shares[i - 1]!.last + 1, 'consecutive, no overlap');
    assert.ok(shares.at(-1)!.last <= 32_767);
    plan.ports.forEach((own, loader) => {
      const needed = plan.loaders[loader]!.filter((slot) => slot.address === address).reduce((sum, slot) => sum + slot.count, 0);
      const size = own[address]!.last - own[address]!.first + 1;
      assert.ok(size > needed, `loader ${loader} on ${address}: ${size} ports for ${needed}`);
    });
  }
  const small = planLoad({ connections: 10, servers: 4, loaders: 3, addresses, limits: machine, ports });
  assert.deepEqual(Object.keys(small.ports[1]!), [], 'an unused load process gets no ports');
});

test('loopback addresses start at 127.0.0.2 and stop before the broadcast address', () => {
  assert.deepEqual(loopbackAddresses(3), ['127.0.0.2', '127.0.0.3', '127.0.0.4']);
  assert.equal(loopbackAddresses(253).at(-1), '127.0.0.254');
  assert.throws(() => loopbackAddresses(254), PlanError);
  assert.throws(() => loopbackAddresses(0), PlanError);
});

test('interleave takes one target from each slot in turn', () => {
  const a = { address: 'a', server: 0, count: 3 };
  const b = { address: 'b', server: 1, count: 1 };
  const c = { address: 'c', server: 2, count: 2 };
  assert.deepEqual(
    interleave([a, b, c]).map((slot) => slot.address),
    ['a', 'b', 'c', 'a', 'c', 'a'],
  );
  assert.deepEqual(interleave([]), []);
});

test('machine limits are read from /proc texts', () => {
  const limits = 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            20000                20000                files\n';
  assert.equal(parseOpenFileLimit(limits), 20_000);
  assert.equal(parseOpenFileLimit('Max open files            unlimited            unlimited            files\n'), undefined);
  assert.deepEqual(parsePortRange('32768\t60999\n'), { first: 32_768, last: 60_999 });
  assert.deepEqual(parsePortRange('10000-32767'), { first: 10_000, last: 32_767 });
  assert.equal(parsePortRange(''), undefined);
});

test('machine CPU share comes from the aggregate line of /proc/stat', () => {
  const before = parseProcStat('cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 50 0 50 350 50 0 0 0 0 0\n');
  const after = parseProcStat('cpu  200 0 200 1300 100 0 0 0 0 0\ncpu0 100 0 100 650 50 0 0 0 0 0\n');
  assert.deepEqual(before, { busy: 200, total: 1000 });
  assert.equal(busyShare(before, after), 0.25);
  assert.ok(Number.isNaN(busyShare(undefined, after)));
  assert.equal(parseProcStat('nothing'), undefined);
});
