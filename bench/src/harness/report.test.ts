import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandLine, resolveOptions } from './cli.js';
import { chartOf, markdownTable, ratioTarget, targetsMarkdown } from './report.js';

const values = { switchyard: 2.6, 'raw ws': 2.5, 'socket.io': 10.4 };

test('a ratio target says what was measured and whether it was met', () => {
  assert.deepEqual(ratioTarget(values, 'switchyard', 'raw ws', '<=', 1.25), { text: 'switchyard / raw ws ≤ 1.25: 1.04', met: true });
  assert.equal(ratioTarget(values, 'socket.io', 'switchyard', '>=', 3).met, true);
  assert.equal(ratioTarget(values, 'switchyard', 'socket.io', '>=', 3).met, false);
  assert.equal(ratioTarget({ switchyard: 1 }, 'switchyard', 'raw ws', '<=', 1).met, false, 'a missing system misses');
});

test('markdown tables have one column per system and one row per metric', () => {
  const rows = [{ metric: 'heap per connection (KB)', values, target: ratioTarget(values, 'switchyard', 'raw ws', '<=', 1.25) }];
  assert.equal(markdownTable(rows), ['| metric | switchyard | raw ws | socket.io |', '| --- | ---: | ---: | ---: |', '| heap per connection (KB) | 2.60 | 2.50 | 10.4 |'].join('\n'));
  assert.match(targetsMarkdown([{ name: 'idle', headlines: rows }]), /\| idle \| heap per connection \(KB\) \| switchyard \/ raw ws ≤ 1\.25: 1\.04 \| met \|/);
});

test('chart panels take the unit from the metric name', () => {
  const chart = chartOf('idle', 'medians', [{ metric: 'heap per connection (KB)', values }]);
  assert.equal(chart.panels[0]!.title, 'heap per connection');
  assert.equal(chart.panels[0]!.unit, 'KB');
  assert.equal(chart.panels[0]!.bars.length, 3);
});

test('command line: --quick, then --name value over the defaults, numbers stay numbers', () => {
  const line = parseCommandLine(['--quick', '--connections', '200', '--redis=redis://x']);
  assert.equal(line.quick, true);
  const options = resolveOptions({ connections: 5000, runs: 3, redis: 'redis://y' }, { connections: 500, runs: 1 }, line.overrides);
  assert.deepEqual(options, { connections: 200, runs: 1, redis: 'redis://x' });
  assert.throws(() => resolveOptions({ runs: 3 }, undefined, { runs: 'many' }), /--runs must be a non-negative number/);
  assert.throws(() => parseCommandLine(['--runs']), /--runs needs a value/);
  assert.throws(() => parseCommandLine(['stray']), /unexpected argument/);
});
