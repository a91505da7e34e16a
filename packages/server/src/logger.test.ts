import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childLogger, silentLogger, type Logger } from './logger.js';

test('childLogger merges the bindings into every line of a logger without child()', () => {
  const lines: [object | string, string | undefined][] = [];
  const record = (context: object | string, message?: string): void => void lines.push([context, message]);
  const plain: Logger = { debug: record, info: record, warn: record, error: record };
  const child = childLogger(plain, { connectionId: 'c1', hub: 'ChatHub' });
  child.warn({ err: 'x' }, 'failed');
  child.debug('plain message');
  child.child!({ transport: 'WebSockets' }).info({}, 'nested');
  assert.deepEqual(lines, [
    [{ connectionId: 'c1', hub: 'ChatHub', err: 'x' }, 'failed'],
    [{ connectionId: 'c1', hub: 'ChatHub' }, 'plain message'],
    [{ connectionId: 'c1', hub: 'ChatHub', transport: 'WebSockets' }, 'nested'],
  ]);
});

test('childLogger uses the logger\'s own child() and leaves the silent logger alone', () => {
  const made: Record<string, unknown>[] = [];
  const withChild: Logger = { ...silentLogger, child: (bindings) => (made.push(bindings), silentLogger) };
  assert.equal(childLogger(withChild, { connectionId: 'c2' }), silentLogger);
  assert.deepEqual(made, [{ connectionId: 'c2' }]);
  assert.equal(childLogger(silentLogger, { connectionId: 'c3' }), silentLogger);
});
