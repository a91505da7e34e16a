/**
 * `npm run bench -- <scenario> [--key value …]`: runs one benchmark scenario, prints medians and
 * ratios, and writes the full results as JSON to `.bench-results/<scenario>-<timestamp>.json`.
 * Scenarios register below; each gets its defaults overridden by `--name value` options.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { clusterDefaults, runCluster, type ClusterOptions } from './scenarios/cluster.js';
import { formatCluster } from './report.js';

interface Scenario {
  readonly description: string;
  readonly defaults: Record<string, string | number>;
  run(options: Record<string, string | number>, log: (line: string) => void): Promise<{ results: unknown; report: string }>;
}

const scenarios: Record<string, Scenario> = {
  cluster: {
    description: 'cross-server delivery throughput and latency: Switchyard on Redis and NATS vs Socket.IO + @socket.io/redis-adapter',
    defaults: { ...clusterDefaults },
    async run(options, log) {
      const results = await runCluster(options as unknown as ClusterOptions, log);
      return { results, report: formatCluster(options as unknown as ClusterOptions, results) };
    },
  },
};

const name = process.argv[2];
const scenario = name === undefined ? undefined : scenarios[name];
if (scenario === undefined) {
  console.error(`usage: npm run bench -- <scenario> [--option value …]\n\nscenarios:`);
  for (const [key, { description, defaults }] of Object.entries(scenarios)) {
    console.error(`  ${key}: ${description}\n    options (defaults): ${JSON.stringify(defaults)}`);
  }
  process.exit(2);
}

const options: Record<string, string | number> = { ...scenario.defaults };
let values: Record<string, string | boolean | undefined>;
try {
  const declared = Object.fromEntries(Object.keys(options).map((key) => [key, { type: 'string' as const }]));
  ({ values } = parseArgs({ args: process.argv.slice(3), options: declared, strict: true }));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}; options: ${Object.keys(options).join(', ')}`);
  process.exit(2);
}
for (const [key, value] of Object.entries(values)) {
  if (typeof value !== 'string') continue;
  const number = Number(value);
  if (typeof scenario.defaults[key] === 'number' && !(number > 0)) {
    console.error(`--${key} must be a positive number, got '${value}'`);
    process.exit(2);
  }
  options[key] = typeof scenario.defaults[key] === 'number' ? number : value;
}

const started = new Date();
const { results, report } = await scenario.run(options, (line) => console.log(`  ${line}`));
console.log(`\n${report}`);
const directory = join(process.cwd(), '.bench-results');
mkdirSync(directory, { recursive: true });
const file = join(directory, `${name}-${started.toISOString().replaceAll(':', '-')}.json`);
const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown' };
writeFileSync(file, `${JSON.stringify({ scenario: name, started: started.toISOString(), machine, options, results }, null, 2)}\n`);
console.log(`\nresults: ${file}`);
process.exit(0);
