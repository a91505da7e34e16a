/**
 * What a scenario is to the harness. A scenario module exports one `Scenario`; `scenarios/index.ts`
 * registers it with one line. The harness parses options, drives the progress bar, writes the JSON
 * and the SVG, and prints the report and (for `all`) the README tables from the headlines.
 */
import type { Progress } from './progress.js';
import type { Chart } from './svg.js';

export type OptionValue = number | string;
export type Options = Readonly<Record<string, OptionValue>>;

export interface ScenarioContext {
  /** The defaults, then `quick` when `--quick`, then `--name value` from the command line. */
  readonly options: Options;
  /** Call `start(steps)` once, then `step(label)` / `advance()` per step and `note(line)` for results. */
  readonly progress: Progress;
}

/** One row of the README table: a metric's median per system, with its target when there is one. */
export interface Headline {
  /** e.g. `heap per connection (KB)`: the unit in parentheses becomes the chart panel's unit. */
  readonly metric: string;
  /** System name → median. */
  readonly values: Readonly<Record<string, number>>;
  /** e.g. `switchyard / raw ws ≤ 1.25: 1.08`, and whether this run met it. */
  readonly target?: { readonly text: string; readonly met: boolean };
}

export interface ScenarioOutcome {
  /** Everything measured (every repeat, medians, ratios): the JSON file's `results`. */
  readonly results: unknown;
  /** Plain text for the terminal, above the harness's table of headlines. */
  readonly report: string;
  /** The metrics, one row each: the terminal table, the SVG panels, the README table. */
  readonly headlines: readonly Headline[];
}

export interface Scenario {
  /** One line for the usage text and the chart's subtitle. */
  readonly description: string;
  readonly defaults: Options;
  /** Overrides for `--quick` (a short smoke run). */
  readonly quick: Options;
  /** `false` keeps it out of `npm run bench -- all` (for very long runs). Default true. */
  readonly inAll?: boolean;
  run(context: ScenarioContext): Promise<ScenarioOutcome>;
}

export type { Chart };
