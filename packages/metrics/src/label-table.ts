/**
 * Plain-number accumulators for counters bumped on the hot path. Adding looks up existing cells
 * (no string building, no allocation once a label pair has been seen); the registry reads them only
 * when scraped.
 */
import type { TransportKind } from '@switchyard/server';

/** One number per transport (a fixed set of three). */
export class PerTransport {
  static readonly kinds: readonly TransportKind[] = ['WebSockets', 'ServerSentEvents', 'LongPolling'];
  #webSockets = 0;
  #serverSentEvents = 0;
  #longPolling = 0;

  add(transport: TransportKind, value: number): void {
    switch (transport) {
      case 'WebSockets':
        this.#webSockets += value;
        return;
      case 'ServerSentEvents':
        this.#serverSentEvents += value;
        return;
      case 'LongPolling':
        this.#longPolling += value;
        return;
    }
  }

  get(transport: TransportKind): number {
    switch (transport) {
      case 'WebSockets':
        return this.#webSockets;
      case 'ServerSentEvents':
        return this.#serverSentEvents;
      case 'LongPolling':
        return this.#longPolling;
    }
  }
}

/** A mutable number, so a cell found once is bumped in place. */
interface Cell {
  value: number;
}

/** Numbers keyed by two bounded labels (hub × protocol, transport × reason, …); `''` for a missing second. */
export class LabelTable {
  readonly #rows = new Map<string, Map<string, Cell>>();
  /** The cell used last: most apps have one hub and one protocol, so most adds skip both lookups. */
  #lastFirst = '';
  #lastSecond = '';
  #lastCell: Cell | undefined;

  add(first: string, second: string, value: number): void {
    if (first === this.#lastFirst && second === this.#lastSecond && this.#lastCell !== undefined) {
      this.#lastCell.value += value;
      return;
    }
    let row = this.#rows.get(first);
    if (row === undefined) this.#rows.set(first, (row = new Map<string, Cell>()));
    let cell = row.get(second);
    if (cell === undefined) row.set(second, (cell = { value: 0 }));
    cell.value += value;
    this.#lastFirst = first;
    this.#lastSecond = second;
    this.#lastCell = cell;
  }

  forEach(visit: (first: string, second: string, value: number) => void): void {
    for (const [first, row] of this.#rows) for (const [second, cell] of row) visit(first, second, cell.value);
  }

  /** Totals per first label. */
  sumByFirst(): Map<string, number> {
    const sums = new Map<string, number>();
    for (const [first, row] of this.#rows) {
      let sum = 0;
      for (const cell of row.values()) sum += cell.value;
      sums.set(first, sum);
    }
    return sums;
  }
}
