import type { MonitorSample } from '../../src/contract.js';
import { drawChart, type Series } from './charts.js';
import { byId, el } from './dom.js';
import { follow, type Live } from './live.js';

const SLOTS = 60;

interface ChartSpec {
  readonly title: string;
  readonly unit: string;
  readonly lines: readonly { readonly label: string; readonly colour: string; readonly pick: (sample: MonitorSample) => number }[];
}

const CHARTS: readonly ChartSpec[] = [
  {
    title: 'Connections by transport',
    unit: '',
    lines: [
      { label: 'WebSockets', colour: '#38bdf8', pick: (s) => s.connections.WebSockets },
      { label: 'Server-Sent Events', colour: '#a78bfa', pick: (s) => s.connections.ServerSentEvents },
      { label: 'Long polling', colour: '#fb923c', pick: (s) => s.connections.LongPolling },
    ],
  },
  {
    title: 'Messages per second',
    unit: '',
    lines: [
      { label: 'sent', colour: '#22c55e', pick: (s) => s.messagesOut },
      { label: 'received', colour: '#facc15', pick: (s) => s.messagesIn },
    ],
  },
  {
    title: 'Memory',
    unit: ' MB',
    lines: [
      { label: 'resident set', colour: '#f472b6', pick: (s) => s.rssMb },
      { label: 'JS heap used', colour: '#38bdf8', pick: (s) => s.heapUsedMb },
    ],
  },
  {
    title: 'Event loop delay',
    unit: ' ms',
    lines: [
      { label: 'max', colour: '#ef4444', pick: (s) => s.loopDelayMaxMs },
      { label: 'p99', colour: '#fb923c', pick: (s) => s.loopDelayP99Ms },
      { label: 'p50', colour: '#22c55e', pick: (s) => s.loopDelayP50Ms },
    ],
  },
];

/** The monitoring view: the connected server's own numbers, a sample a second, the last minute. Returns its redraw. */
export function startMonitor(live: Live, isVisible: () => boolean): () => void {
  let samples: MonitorSample[] = [];
  const charts = CHARTS.map((spec) => {
    const canvas = el('canvas', { className: 'chart' });
    const values = spec.lines.map((line) => {
      const value = el('b', { text: '–' });
      const swatch = el('span', { className: 'swatch' });
      swatch.style.background = line.colour;
      return { value, item: el('li', {}, swatch, `${line.label} `, value) };
    });
    const card = el('div', { className: 'card' }, el('h3', { text: spec.title }), el('ul', { className: 'legend' }, ...values.map((v) => v.item)), canvas);
    return { spec, canvas, values, card };
  });
  byId('charts').replaceChildren(...charts.map((chart) => chart.card));

  const render = (): void => {
    if (!isVisible()) return;
    const last = samples[samples.length - 1];
    if (last !== undefined) byId('monitor-instance').textContent = `server ${last.instance}`;
    for (const { spec, canvas, values } of charts) {
      const series: Series[] = spec.lines.map((line) => ({ label: line.label, colour: line.colour, values: samples.map(line.pick) }));
      drawChart(canvas, series, SLOTS, spec.unit);
      spec.lines.forEach((line, i) => {
        values[i]!.value.textContent = last === undefined ? '–' : `${line.pick(last)}${spec.unit}`;
      });
    }
  };

  live.onReady((connection, welcome) => {
    // A new connection may be to another server: its history replaces what the last one said.
    samples = samples.filter((sample) => sample.instance === welcome.instance);
    void follow(connection.stream('monitor'), (sample) => {
      if (samples.some((known) => known.at === sample.at && known.instance === sample.instance)) return;
      samples.push(sample);
      if (samples.length > SLOTS) samples.shift();
      render();
    });
  });
  return render;
}
