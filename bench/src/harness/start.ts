/**
 * How every single-server scenario begins: the progress bar counts one step per official-client check
 * plus the scenario's own measured steps, then the official @microsoft/signalr client proves that the
 * Switchyard server under test is the real thing before any light client loads it.
 */
import { switchyard, withDeployment } from './deployment.js';
import type { Progress } from './progress.js';
import { verifyWithOfficialClient, type OfficialTransport } from './verify.js';

/**
 * `transports`: one check per transport, each step labelled with its transport; left out, a single
 * check over WebSockets labelled just `official client check`.
 */
export async function startScenario(progress: Progress, measuredSteps: number, transports?: readonly OfficialTransport[]): Promise<void> {
  const checks = transports ?? (['WebSockets'] as const);
  progress.start(checks.length + measuredSteps);
  for (const transport of checks) {
    progress.step(transports === undefined ? 'official client check' : `official client check over ${transport}`);
    await withDeployment(switchyard, 1, (deployment) => verifyWithOfficialClient(deployment.url, transport));
    progress.advance();
  }
}
