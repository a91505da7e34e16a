/** Command-line options: `--quick`, `--publish`, and `--name value` pairs over a scenario's defaults. */
import type { OptionValue, Options } from './scenario.js';

export interface CommandLine {
  readonly quick: boolean;
  readonly publish: boolean;
  /** Raw `--name value` pairs. */
  readonly overrides: Readonly<Record<string, string>>;
}

/** Parses everything after the scenario name; throws with a usage message on anything else. */
export function parseCommandLine(args: readonly string[]): CommandLine {
  let quick = false;
  let publish = false;
  const overrides: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--quick') quick = true;
    else if (arg === '--publish') publish = true;
    else if (arg.startsWith('--') && arg.length > 2) {
      const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      const value = inline ?? args[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      overrides[name] = value;
    } else throw new Error(`unexpected argument '${arg}'`);
  }
  return { quick, publish, overrides };
}

/** The defaults, then the quick overrides, then the command line's (numbers stay numbers). */
export function resolveOptions(defaults: Options, quick: Options | undefined, overrides: Readonly<Record<string, string>>): Record<string, OptionValue> {
  const options: Record<string, OptionValue> = { ...defaults, ...(quick ?? {}) };
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in defaults)) continue;
    if (typeof defaults[name] === 'number') {
      const number = Number(value);
      if (!Number.isFinite(number) || number < 0) throw new Error(`--${name} must be a non-negative number, got '${value}'`);
      options[name] = number;
    } else options[name] = value;
  }
  return options;
}

/** The named options as numbers, e.g. `numberOptions(options, ['runs', 'loadProcesses'])`. */
export function numberOptions<const K extends string>(options: Options, names: readonly K[]): Record<K, number> {
  return Object.fromEntries(names.map((name) => [name, Number(options[name])])) as Record<K, number>;
}
