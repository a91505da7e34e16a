/** Repeats interleaved across systems, so drift on a shared machine spreads over every system alike. */
import { withDeployment, type Deployment, type SystemRow, type SystemSpec } from './deployment.js';
import type { Progress } from './progress.js';
import { median } from './stats.js';

export async function interleave<S extends { readonly name: string }, T>(
  systems: readonly S[],
  runs: number,
  progress: Progress,
  measure: (system: S, run: number) => Promise<T>,
  describe: (result: T) => string,
): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>(systems.map((system) => [system.name, []]));
  for (let run = 1; run <= runs; run++) {
    for (const system of systems) {
      progress.step(`run ${run}/${runs}: ${system.name}`);
      const result = await measure(system, run);
      results.get(system.name)!.push(result);
      progress.note(`run ${run} ${system.name}: ${describe(result)}`);
      progress.advance();
    }
  }
  return results;
}

export interface DeployedRepeats {
  readonly runs: number;
  readonly progress: Progress;
  readonly loadProcesses: number;
  /** Connected before `measure` is called. */
  readonly connections: number;
}

/**
 * `interleave` with a fresh deployment per system and repeat (its server and `loadProcesses` load
 * processes, stopped afterwards) and `connections` connections open when `measure` starts.
 */
export function interleaveDeployments<T>(
  systems: readonly (SystemSpec | SystemRow)[],
  { runs, progress, loadProcesses, connections }: DeployedRepeats,
  measure: (deployment: Deployment) => Promise<T>,
  describe: (result: T) => string,
): Promise<Map<string, T[]>> {
  return interleave(
    systems,
    runs,
    progress,
    (system) =>
      withDeployment(
        'spec' in system ? system.spec : system,
        loadProcesses,
        async (deployment) => {
          await deployment.connect(connections);
          return measure(deployment);
        },
        system.client,
      ),
    describe,
  );
}

/** System → the median over its runs of `pick`. */
export function medians<T>(results: ReadonlyMap<string, readonly T[]>, pick: (result: T) => number): Record<string, number> {
  return Object.fromEntries([...results].map(([name, runs]) => [name, median(runs.map(pick))]));
}
