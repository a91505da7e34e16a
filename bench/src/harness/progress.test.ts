import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Progress } from './progress.js';

function sink(isTTY: boolean): { isTTY: boolean; columns: number; text: string; write(text: string): void } {
  return {
    isTTY,
    columns: 80,
    text: '',
    write(text: string) {
      this.text += text;
    },
  };
}

test('without a TTY: one line per step and per note, no control characters', () => {
  const out = sink(false);
  const progress = new Progress('[idle]', out);
  progress.start(2);
  progress.step('switchyard');
  progress.note('heap 2.6 KB');
  progress.advance();
  progress.step('raw ws');
  progress.advance();
  progress.finish();
  const lines = out.text.trimEnd().split('\n');
  assert.deepEqual(lines.slice(0, 3), ['[idle] [1/2] switchyard', '[idle]   heap 2.6 KB', '[idle] [2/2] raw ws']);
  assert.match(lines[3]!, /^\[idle\] done in \d+\.\d s$/);
  assert.ok(!out.text.includes('\r') && !out.text.includes('\u001b'), 'no carriage return, no escape sequence');
});

test('on a TTY: a bar redrawn in place, filled as steps finish', () => {
  const out = sink(true);
  const progress = new Progress('[idle]', out);
  progress.start(4);
  progress.step('one');
  assert.ok(out.text.startsWith('\r\u001b[K[idle] ['), 'redrawn from the start of the line');
  assert.match(out.text, /\[idle\] \[-{24}\] 0\/4 \d+s one$/);
  progress.advance();
  progress.advance();
  assert.match(out.text, /\[#{12}-{12}\] 2\/4 \d+s one$/);
});
