import type { Quote, TickerFrame } from '../../src/contract.js';
import { drawSparkline } from './charts.js';
import { byId, el, RateMeter } from './dom.js';
import { follow, type Live } from './live.js';

/** Points kept per sparkline: 30 s at five frames a second. */
const HISTORY = 150;
const UP = '#22c55e';
const DOWN = '#ef4444';

interface Cell {
  readonly price: HTMLElement;
  readonly change: HTMLElement;
  readonly card: HTMLElement;
  readonly spark: HTMLCanvasElement;
  readonly history: number[];
  open: number | undefined;
}

/** The market view: a card per symbol with a flashing price, its change and a sparkline. */
export function startMarket(live: Live, isVisible: () => boolean): void {
  const grid = byId('quotes');
  const rate = new RateMeter();
  let cells: Cell[] = [];

  const build = (symbols: readonly Quote[]): void => {
    if (cells.length === symbols.length) return;
    byId('market-count').textContent = String(symbols.length);
    cells = symbols.map((quote) => {
      const price = el('span', { className: 'price', text: '—' });
      const change = el('span', { className: 'change' });
      const spark = el('canvas', { className: 'spark' });
      const card = el('div', { className: 'quote', title: quote.name },
        el('div', { className: 'quote-head' }, el('b', { text: quote.symbol }), change),
        el('div', { className: 'quote-name', text: quote.name }), price, spark);
      return { price, change, card, spark, history: [], open: undefined };
    });
    grid.replaceChildren(...cells.map((cell) => cell.card));
  };

  const update = (frame: TickerFrame): void => {
    rate.tick();
    const visible = isVisible();
    frame.prices.forEach((value, index) => {
      const cell = cells[index];
      if (cell === undefined) return;
      const last = cell.history[cell.history.length - 1];
      cell.history.push(value);
      if (cell.history.length > HISTORY) cell.history.shift();
      cell.open ??= value;
      if (!visible) return;
      const change = ((value - cell.open) / cell.open) * 100;
      cell.change.textContent = `${change >= 0 ? '+' : ''}${change.toFixed(2)}%`;
      cell.change.className = `change ${change >= 0 ? 'up' : 'down'}`;
      if (last !== undefined && last !== value) flash(cell.card, value > last ? 'flash-up' : 'flash-down');
      cell.price.textContent = value.toFixed(2);
      drawSparkline(cell.spark, cell.history, change >= 0 ? UP : DOWN);
    });
    if (visible) byId('market-rate').textContent = `${rate.perSecond().toFixed(1)} frames/s received`;
  };

  live.onReady((connection) => {
    void connection.invoke('symbols').then((symbols) => {
      build(symbols);
      return follow(connection.stream('ticker'), update);
    }, () => {});
  });
}

function flash(card: HTMLElement, kind: 'flash-up' | 'flash-down'): void {
  card.classList.remove('flash-up', 'flash-down');
  // Reading layout restarts the CSS animation on a card that flashed moments ago.
  void card.offsetWidth;
  card.classList.add(kind);
}
