import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser } from './sse-parser.js';

function parse(...chunks: string[]): string[] {
  const events: string[] = [];
  const parser = new SseParser((data) => events.push(data));
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

test('dispatches data on a blank line, in the framing the server writes', () => {
  assert.deepEqual(parse(':\r\n', 'data: {"type":6}\u001e\r\n\r\n'), ['{"type":6}\u001e']);
});

test('joins multi-line data with \\n and strips one leading space', () => {
  assert.deepEqual(parse('data: a\ndata:b\ndata:  c\n\n'), ['a\nb\n c']);
});

test('accepts CRLF, LF and CR line ends, also when a CRLF is split between chunks', () => {
  assert.deepEqual(parse('data: one\r', '\n\r', '\ndata: two\r\rdata: three\n\n'), ['one', 'two', 'three']);
});

test('reassembles lines split anywhere between chunks', () => {
  const text = 'data: hello world\r\n\r\ndata: second\r\n\r\n';
  for (let cut = 1; cut < text.length; cut++) {
    assert.deepEqual(parse(text.slice(0, cut), text.slice(cut)), ['hello world', 'second'], `cut at ${cut}`);
  }
});

test('ignores comments, other fields and events without data', () => {
  assert.deepEqual(parse(': comment\nevent: x\nid: 3\nretry: 10\n\ndata\n\n'), ['']);
  assert.deepEqual(parse('event: only\n\n'), []);
});

test('keeps an unfinished event until its blank line arrives', () => {
  assert.deepEqual(parse('data: pending\n'), []);
});
