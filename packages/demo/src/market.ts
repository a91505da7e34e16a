import type { Quote, TickerFrame } from './contract.js';
import { hash01, smoothNoise } from './noise.js';

/** Three dozen made-up companies. */
export const SYMBOLS: readonly Quote[] = [
  ['ACME', 'Acme Rails'], ['BOLT', 'Bolt Energy'], ['CRNE', 'Crane Logistics'], ['DYNA', 'Dynamo Grid'],
  ['ECHO', 'Echo Networks'], ['FERN', 'Fern Foods'], ['GLDN', 'Golden Gate Bank'], ['HRBR', 'Harbor Freight'],
  ['IRIS', 'Iris Optics'], ['JADE', 'Jade Pharma'], ['KILN', 'Kiln Ceramics'], ['LYNX', 'Lynx Security'],
  ['MAPL', 'Maple Timber'], ['NOVA', 'Nova Space'], ['ORCA', 'Orca Marine'], ['PIXL', 'Pixel Works'],
  ['QUIL', 'Quill Media'], ['RDGE', 'Ridge Mining'], ['SAGE', 'Sage Health'], ['TIDE', 'Tide Water'],
  ['UMBR', 'Umbra Solar'], ['VOLT', 'Volt Motors'], ['WREN', 'Wren Air'], ['XENO', 'Xeno Labs'],
  ['YARD', 'Switch Yard Co'], ['ZEST', 'Zest Drinks'], ['AXON', 'Axon Robotics'], ['BRIX', 'Brix Housing'],
  ['COVE', 'Cove Insurance'], ['DUNE', 'Dune Textiles'], ['EMBR', 'Ember Steel'], ['FLUX', 'Flux Chips'],
  ['GRID', 'Grid Telecom'], ['HALO', 'Halo Games'], ['IVRY', 'Ivory Retail'], ['JETT', 'Jett Cargo'],
].map(([symbol, name]) => ({ symbol: symbol!, name: name! }));

/** Ticks per second of the server stream. */
export const TICKS_PER_SECOND = 5;

/** The chance that a symbol trades in a given tick (so cells flash now and then, not all at once). */
const TRADE_CHANCE = 0.3;

/**
 * The price of symbol `index` at tick `tick`, a pure function of both: the value of its curve (a base
 * price times slow trends, swings and jitter) at the last tick where it traded.
 */
export function price(index: number, tick: number): number {
  let traded = tick;
  while (traded > tick - 40 && hash01(index + 1000, traded) >= TRADE_CHANCE) traded--;
  const base = 20 + Math.floor(hash01(index, 7) * 480);
  const trend = 0.1 * smoothNoise(index * 3 + 1, traded / 1500) + 0.035 * smoothNoise(index * 3 + 2, traded / 120);
  const jitter = 0.006 * smoothNoise(index * 3 + 3, traded / 4);
  return Math.round(base * Math.exp(trend + jitter) * 100) / 100;
}

export function tickerFrame(now: number): TickerFrame {
  const tick = Math.floor((now * TICKS_PER_SECOND) / 1000);
  return { at: now, prices: SYMBOLS.map((_, index) => price(index, tick)) };
}
