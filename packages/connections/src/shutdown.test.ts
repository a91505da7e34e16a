/** ConnectionRouter.close(): every connection ends, and the process exits by itself afterwards. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { within } from './test-support/wait.js';

test('close() ends connections on every transport and leaves nothing that keeps the process alive', async () => {
  const fixture = fileURLToPath(new URL('./test-support/shutdown-fixture.js', import.meta.url));
  const child = spawn(process.execPath, [fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    // Generous: the bound catches a process that never exits, it does not measure speed.
    const code = await within(new Promise<number | null>((resolve) => child.once('exit', resolve)), 'the fixture to exit', 30_000);
    assert.equal(code, 0, stderr);
  } finally {
    child.kill();
  }
  const report = JSON.parse(stdout) as { serverSide: Record<string, string | null>; clientSide: Record<string, string | null>; remaining: number };
  assert.deepEqual(report.serverSide, { WebSockets: null, ServerSentEvents: null, LongPolling: null, stalled: null });
  // Clean closes for the official client: 1000 on WebSockets, end of stream on SSE, 204 on long polling.
  assert.deepEqual(report.clientSide, { WebSockets: null, ServerSentEvents: null, LongPolling: null });
  assert.equal(report.remaining, 0);
});
