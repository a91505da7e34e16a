import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatNumber, median, medianOf, percentile, ratio, round } from './stats.js';

test('median of an odd count is the middle value, of an even count the mean of the two middle ones', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  assert.ok(Number.isNaN(median([])));
});

test('percentile uses the nearest rank and does not reorder its input', () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
  assert.equal(percentile(values, 0.5), 50);
  assert.equal(percentile(values, 0.99), 99);
  assert.equal(percentile(values, 1), 100);
  assert.equal(percentile(values, 0), 1);
  assert.equal(values[0], 100);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});

test('ratio is NaN rather than Infinity when it means nothing', () => {
  assert.equal(ratio(3, 2), 1.5);
  assert.ok(Number.isNaN(ratio(1, 0)));
  assert.ok(Number.isNaN(ratio(Number.NaN, 2)));
});

test('medianOf takes the median of each field over repeats', () => {
  assert.deepEqual(medianOf([{ a: 1, b: 10 }, { a: 3, b: 30 }, { a: 2, b: 20 }]), { a: 2, b: 20 });
  assert.deepEqual(medianOf([]), {});
});

test('round and formatNumber', () => {
  assert.equal(round(1.23456, 2), 1.23);
  assert.equal(round(2.5, 0), 3);
  assert.equal(formatNumber(12345.6), '12,346');
  assert.equal(formatNumber(2.345), '2.35');
  assert.equal(formatNumber(0.012345), '0.0123');
  assert.equal(formatNumber(Number.NaN), 'n/a');
});
