import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactHeaders, redactUrl } from './redaction.js';

test('redactUrl masks access_token and id, keeps everything else as written', () => {
  assert.equal(redactUrl('/chat?id=s3cret&access_token=eyJ.x.y&v=1'), '/chat?id=[redacted]&access_token=[redacted]&v=1');
  assert.equal(redactUrl('/chat?ID=s3cret&access%5Ftoken=eyJ#frag'), '/chat?ID=[redacted]&access%5Ftoken=[redacted]#frag');
  assert.equal(redactUrl('/chat?identity=kept&id'), '/chat?identity=kept&id=[redacted]');
  assert.equal(redactUrl('/chat/negotiate'), '/chat/negotiate');
  assert.equal(redactUrl(new URL('http://h/chat?access_token=abc')), 'http://h/chat?access_token=[redacted]');
});

test('redactHeaders masks credentials and cookies, copies the rest', () => {
  const headers = { authorization: 'Bearer eyJ', cookie: 'a=b', host: 'h', 'x-request-id': '7' };
  assert.deepEqual(redactHeaders(headers), { authorization: '[redacted]', cookie: '[redacted]', host: 'h', 'x-request-id': '7' });
  assert.equal(headers.authorization, 'Bearer eyJ');
});
