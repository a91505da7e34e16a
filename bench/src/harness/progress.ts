/**
 * Progress on stderr: a redrawn bar when stderr is a TTY, otherwise one line per step (logs and CI
 * stay readable). Notes (a finished measurement) print above the bar in both cases.
 */

export interface ProgressSink {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export class Progress {
  readonly #sink: ProgressSink;
  readonly #prefix: string;
  #total = 0;
  #done = 0;
  #label = '';
  #started = Date.now();

  constructor(prefix: string, sink: ProgressSink = process.stderr) {
    this.#prefix = prefix;
    this.#sink = sink;
  }

  /** Starts counting `total` steps. */
  start(total: number): void {
    this.#total = Math.max(1, total);
    this.#done = 0;
    this.#started = Date.now();
  }

  /** Announces the step now beginning. */
  step(label: string): void {
    this.#label = label;
    if (this.#sink.isTTY === true) this.#draw();
    else this.#sink.write(`${this.#prefix} [${this.#done + 1}/${this.#total}] ${label}\n`);
  }

  /** Marks the current step finished. */
  advance(): void {
    this.#done = Math.min(this.#total, this.#done + 1);
    if (this.#sink.isTTY === true) this.#draw();
  }

  /** A line worth keeping (a result), printed above the bar. */
  note(line: string): void {
    if (this.#sink.isTTY === true) {
      this.#sink.write(`\r\x1b[K${this.#prefix} ${line}\n`);
      this.#draw();
    } else {
      this.#sink.write(`${this.#prefix}   ${line}\n`);
    }
  }

  /** Clears the bar. */
  finish(): void {
    if (this.#sink.isTTY === true) this.#sink.write('\r\x1b[K');
    this.#sink.write(`${this.#prefix} done in ${((Date.now() - this.#started) / 1000).toFixed(1)} s\n`);
  }

  #draw(): void {
    const width = 24;
    const filled = Math.round((this.#done / this.#total) * width);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    const seconds = ((Date.now() - this.#started) / 1000).toFixed(0);
    const line = `${this.#prefix} [${bar}] ${this.#done}/${this.#total} ${seconds}s ${this.#label}`;
    const columns = this.#sink.columns ?? 100;
    this.#sink.write(`\r\x1b[K${line.slice(0, Math.max(20, columns - 1))}`);
  }
}
