/**
 * The chaos test's judge, on hand-made ledgers: it must catch each broken guarantee (a duplicate, a
 * reordering, a loss outside every window, a stranger) and accept losses inside a window, or the
 * chaos test could pass whatever happened.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judge, strangers, type Outage } from './test-support/chaos-ledger.js';
import type { Delivery, Send } from './test-support/chaos-site.js';

/** Sends 1..count from `sender` to all, one per 10 ms from t=1000, each completed 5 ms later. */
function sends(sender: string, count: number): Send[] {
  return Array.from({ length: count }, (_, i) => ({ sender, n: i + 1, target: 'all', startedAt: 1000 + i * 10, completedAt: 1005 + i * 10 }));
}

/** Deliveries of `numbers` from `sender`, each 2 ms after its completion. */
function got(sender: string, numbers: number[]): Delivery[] {
  return numbers.map((n) => ({ sender, n, at: 1007 + (n - 1) * 10 }));
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('everything delivered once, in order: nothing lost, duplicated or reordered', () => {
  const [pair] = judge(sends('s', 10), [{ name: 'r', joinedAt: 0, deliveries: got('s', range(1, 10)) }], []);
  assert.deepEqual(pair, { sender: 's', receiver: 'r', due: 10, delivered: 10, lostInOutage: 0, lostOutside: 0, duplicated: 0, outOfOrder: 0 });
});

test('a duplicate, a reordering and a loss without an outage are each counted', () => {
  const deliveries = got('s', [1, 2, 2, 4, 3, 6, 7, 8, 9, 10]);
  const [pair] = judge(sends('s', 10), [{ name: 'r', joinedAt: 0, deliveries }], []);
  assert.equal(pair!.duplicated, 1);
  assert.equal(pair!.outOfOrder, 1);
  assert.equal(pair!.lostOutside, 1); // 5
});

test('losses between the last delivery before the cut and the first send after the restore are allowed, no others', () => {
  // Cut at t=1040 (after 4 was delivered), restored at t=1070 (sends from 8 on are due again).
  const outage: Outage = { name: 'x', cutAt: 1040, restoredAt: 1070, affects: () => true };
  const inWindow = judge(sends('s', 10), [{ name: 'r', joinedAt: 0, deliveries: got('s', [1, 2, 3, 4, 8, 9, 10]) }], [outage]);
  assert.deepEqual([inWindow[0]!.lostInOutage, inWindow[0]!.lostOutside], [3, 0]);
  const lateLoss = judge(sends('s', 10), [{ name: 'r', joinedAt: 0, deliveries: got('s', [1, 2, 3, 4, 9, 10]) }], [outage]);
  assert.deepEqual([lateLoss[0]!.lostInOutage, lateLoss[0]!.lostOutside], [3, 1], '8 was sent after the restore');
  const earlyLoss = judge(sends('s', 10), [{ name: 'r', joinedAt: 0, deliveries: got('s', [1, 2, 4, 8, 9, 10]) }], [outage]);
  assert.deepEqual([earlyLoss[0]!.lostInOutage, earlyLoss[0]!.lostOutside], [3, 1], '3 came before a delivered message');
});

test('a killed sender may lose its tail only', () => {
  const killed: Outage = { name: 'k', cutAt: 1050, restoredAt: Number.POSITIVE_INFINITY, affects: (s) => s === 's' };
  const tail = judge(sends('s', 10), [{ name: 'r', joinedAt: 0, deliveries: got('s', range(1, 7)) }], [killed]);
  assert.deepEqual([tail[0]!.lostInOutage, tail[0]!.lostOutside], [3, 0]);
  const hole = judge(sends('s', 10), [{ name: 'r', joinedAt: 0, deliveries: got('s', [1, 2, 4, 5, 6, 7]) }], [killed]);
  assert.deepEqual([hole[0]!.lostInOutage, hole[0]!.lostOutside], [3, 1]);
});

test('an outage of another pair allows nothing; sends before the receiver joined or never completed are not due', () => {
  const elsewhere: Outage = { name: 'x', cutAt: 1000, restoredAt: 2000, affects: (_s, r) => r === 'other' };
  const ledger = sends('s', 10);
  ledger[9]!.completedAt = undefined;
  const [pair] = judge(ledger, [{ name: 'r', joinedAt: 1020, deliveries: got('s', range(3, 8)) }], [elsewhere]);
  assert.deepEqual([pair!.due, pair!.lostOutside], [7, 1]); // 3..9 due, 9 lost
});

test('a delivery no sender sent is reported', () => {
  assert.deepEqual(strangers(sends('s', 2), [{ name: 'r', joinedAt: 0, deliveries: got('s', [1, 3]) }]), ['r got s|3']);
});

test('a per-pair restore time closes that pair\'s window at its own first delivery', () => {
  // Globally restored at t=1090, but this pair was served again by 7 (sent at t=1060).
  const outage: Outage = { name: 'x', cutAt: 1040, restoredAt: 1090, restoredFor: () => 1060, affects: () => true };
  const [pair] = judge(sends('s', 10), [{ name: 'r', joinedAt: 0, deliveries: got('s', [1, 2, 3, 4, 7, 9, 10]) }], [outage]);
  assert.deepEqual([pair!.lostInOutage, pair!.lostOutside], [2, 1], '8 came after the pair was served again');
});
