import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exponentialBackoff, fixedDelays } from './reconnect-policy.js';

const reason = new Error('lost');
const at = (previousRetryCount: number, elapsedMs = 0) => ({ previousRetryCount, elapsedMs, retryReason: reason });

test('exponential backoff: immediate first attempt, then doubling up to the cap', () => {
  const policy = exponentialBackoff({ jitterRatio: 0 });
  const delays = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => policy.nextRetryDelayMs(at(n)));
  assert.deepEqual(delays, [0, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
});

test('jitter shortens each delay by up to jitterRatio of it, never lengthens it', () => {
  const low = exponentialBackoff({ jitterRatio: 0.5, random: () => 0.999_999 });
  const high = exponentialBackoff({ jitterRatio: 0.5, random: () => 0 });
  for (let n = 1; n < 10; n++) {
    const full = Math.min(30_000, 1_000 * 2 ** (n - 1));
    assert.equal(high.nextRetryDelayMs(at(n)), full);
    assert.equal(low.nextRetryDelayMs(at(n)), Math.round(full * 0.5));
  }
});

test('gives up after maxRetries or maxElapsedMs', () => {
  const policy = exponentialBackoff({ maxRetries: 3, maxElapsedMs: 60_000, jitterRatio: 0 });
  assert.equal(policy.nextRetryDelayMs(at(2)), 2_000);
  assert.equal(policy.nextRetryDelayMs(at(3)), null);
  assert.equal(policy.nextRetryDelayMs(at(1, 60_000)), null);
});

test('custom base, multiplier and first delay', () => {
  const policy = exponentialBackoff({ firstDelayMs: 50, baseDelayMs: 100, multiplier: 3, maxDelayMs: 1_000, jitterRatio: 0 });
  assert.deepEqual([0, 1, 2, 3, 4].map((n) => policy.nextRetryDelayMs(at(n))), [50, 100, 300, 900, 1_000]);
});

test('fixed delays, then null: the official default is [0, 2000, 10000, 30000]', () => {
  const policy = fixedDelays([0, 2_000, 10_000, 30_000]);
  assert.deepEqual([0, 1, 2, 3, 4].map((n) => policy.nextRetryDelayMs(at(n))), [0, 2_000, 10_000, 30_000, null]);
});
