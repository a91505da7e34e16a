/**
 * `npm run bench -- <scenario>|all [--quick] [--publish] [--name value …]`: runs benchmark scenarios
 * (servers and load in child processes), prints medians, ratios and targets, and writes
 * `.bench-results/<scenario>-<timestamp>.{json,svg}`. `all` also prints the README's tables in
 * markdown; `--publish` copies the SVGs and that markdown to `bench/results/`.
 */
import { parseCommandLine, resolveOptions, type CommandLine } from './harness/cli.js';
import { machineInfo, publish, timestamp, writeResults, writeText } from './harness/output.js';
import { Progress } from './harness/progress.js';
import { chartOf, markdownTable, ratioLines, targetsMarkdown, textTable } from './harness/report.js';
import type { Headline, Scenario } from './harness/scenario.js';
import { renderBarChart } from './harness/svg.js';
import { scenarios } from './scenarios/index.js';

function usage(): string {
  const lines = ['usage: npm run bench -- <scenario>|all [--quick] [--publish] [--option value …]', '', 'scenarios:'];
  for (const [key, scenario] of Object.entries(scenarios)) {
    lines.push(`  ${key}: ${scenario.description}`, `    options (defaults): ${JSON.stringify(scenario.defaults)}`, `    --quick: ${JSON.stringify(scenario.quick)}`);
  }
  lines.push('', 'all: every scenario in turn, then the README tables in markdown');
  return lines.join('\n');
}

interface Ran {
  readonly name: string;
  readonly description: string;
  readonly report: string;
  readonly headlines: readonly Headline[];
}

async function runOne(name: string, scenario: Scenario, commandLine: CommandLine): Promise<Ran> {
  const options = resolveOptions(scenario.defaults, commandLine.quick ? scenario.quick : undefined, commandLine.overrides);
  const started = new Date();
  const machine = machineInfo();
  const progress = new Progress(`[${name}]`);
  const outcome = await scenario.run({ options, progress });
  progress.finish();
  const svg = renderBarChart(chartOf(`${name}: ${scenario.description}`, `medians; node ${machine.node}, ${machine.cpus} × ${machine.cpu}, load average ${machine.loadAverage} at start${commandLine.quick ? '; --quick' : ''}`, outcome.headlines));
  const file = writeResults(`${name}-${timestamp(started)}`, { scenario: name, started: started.toISOString(), finished: new Date().toISOString(), machine, quick: commandLine.quick, options, headlines: outcome.headlines, results: outcome.results }, svg);
  console.log(`\n== ${name} ==`);
  if (outcome.report.length > 0) console.log(outcome.report);
  console.log(textTable(outcome.headlines));
  const baseline = outcome.headlines.some((row) => 'raw ws' in row.values) ? 'raw ws' : undefined;
  if (baseline !== undefined) console.log(ratioLines(outcome.headlines, baseline));
  console.log(`results: ${file} (and .svg)`);
  if (commandLine.publish) console.log(`published: ${publish(`${name}.svg`, svg)}`);
  return { name, description: scenario.description, report: outcome.report, headlines: outcome.headlines };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function readme(ran: readonly Ran[], commandLine: CommandLine, startLoad: number): string {
  const machine = machineInfo();
  const lines = [
    `Measured with \`npm run bench -- all${commandLine.quick ? ' --quick' : ''}\`, finished ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: node ${machine.node}, ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB; 1-minute load average ${startLoad} at the start, ${machine.loadAverage} at the end. Medians over the repeats.`,
    '',
    '### Targets',
    '',
    targetsMarkdown(ran),
  ];
  for (const { name, headlines, description, report } of ran) {
    const how = report.split('\n')[0]!;
    lines.push('', `### ${name}`, '', `${capitalize(description)}. ${capitalize(how)}.`, '', markdownTable(headlines), '', `![${name}](bench/results/${name}.svg)`);
  }
  return `${lines.join('\n')}\n`;
}

const name = process.argv[2];
let commandLine: CommandLine;
try {
  commandLine = parseCommandLine(process.argv.slice(3));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage()}`);
  process.exit(2);
}
if (name === undefined || (name !== 'all' && scenarios[name] === undefined)) {
  console.error(usage());
  process.exit(2);
}

const selected = name === 'all' ? Object.entries(scenarios).filter(([, scenario]) => scenario.inAll !== false) : [[name, scenarios[name]!] as const];
const known = new Set(selected.flatMap(([, scenario]) => Object.keys(scenario.defaults)));
const unknown = Object.keys(commandLine.overrides).filter((key) => !known.has(key));
if (unknown.length > 0) {
  console.error(`unknown option(s): ${unknown.map((key) => `--${key}`).join(', ')}\n\n${usage()}`);
  process.exit(2);
}

const ran: Ran[] = [];
const startLoad = machineInfo().loadAverage;
let failed = 0;
for (const [key, scenario] of selected) {
  try {
    ran.push(await runOne(key, scenario, commandLine));
  } catch (error) {
    failed++;
    console.error(`\n${key} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}
if (name === 'all') {
  const markdown = readme(ran, commandLine, startLoad);
  console.log(`\n== README (markdown) ==\n\n${markdown}`);
  console.log(`markdown: ${writeText(`all-${timestamp(new Date())}.md`, markdown)}`);
  if (commandLine.publish) console.log(`published: ${publish('README-table.md', markdown)}`);
}
process.exit(failed > 0 ? 1 : 0);
