import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeXml, renderBarChart, type Chart } from './svg.js';

/** Checks that every tag closes in order and every attribute is quoted: enough to know a browser parses it. */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([a-zA-Z]+)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*="[^"<]*")*)\s*(\/?)>/g)) {
    const [, closing, name, , selfClosing] = match;
    if (closing === '/') assert.equal(stack.pop(), name, `</${name}> closes the open element`);
    else if (selfClosing !== '/') stack.push(name!);
  }
  assert.deepEqual(stack, [], 'every element is closed');
  const stripped = svg.replace(/<(\/?)([a-zA-Z]+)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*="[^"<]*")*)\s*(\/?)>/g, '');
  assert.doesNotMatch(stripped, /[<>]/, 'no stray angle brackets outside tags');
  assert.doesNotMatch(stripped, /&(?!(lt|gt|amp|apos|quot);)/, 'every ampersand is an entity');
}

const chart: Chart = {
  title: 'burst <K> & friends',
  subtitle: 'medians "quoted"',
  panels: [
    { title: 'server CPU per delivery', unit: 'µs', bars: [{ label: 'switchyard', value: 2.5 }, { label: 'raw ws', value: 3 }, { label: 'socket.io', value: 9 }] },
    { title: 'frames', unit: 'frames', bars: [{ label: 'switchyard', value: 0.05 }, { label: 'a <b> & c', value: Number.NaN }] },
  ],
  notes: ['target met: socket.io / switchyard ≥ 3 & more'],
};

test('the chart is a well-formed SVG document with one bar per value and a legend entry per system', () => {
  const svg = renderBarChart(chart);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" /);
  assertWellFormed(svg);
  assert.equal(svg.match(/<rect [^>]*><title>/g)?.length, 5, 'one bar per value');
  assert.equal(svg.match(/<rect [^>]*width="12" height="12"/g)?.length, 4, 'one legend swatch per system');
  assert.ok(svg.includes('burst &lt;K&gt; &amp; friends'));
  assert.ok(svg.includes('a &lt;b&gt; &amp; c'));
  assert.ok(svg.includes('>n/a<'), 'a missing value is labelled, not drawn');
  assert.ok(svg.includes('>target met: socket.io / switchyard ≥ 3 &amp; more</text>'), 'notes under the legend');
});

test('bars are scaled per panel: the largest value fills the panel', () => {
  const svg = renderBarChart({ title: 't', panels: [{ title: 'p', unit: 'u', bars: [{ label: 'a', value: 1 }, { label: 'b', value: 4 }] }] });
  const heights = [...svg.matchAll(/<rect [^>]*height="([\d.]+)" fill="[^"]+"><title>/g)].map((m) => Number(m[1]));
  assert.equal(heights.length, 2);
  assert.ok(Math.abs(heights[1]! / heights[0]! - 4) < 0.01, `heights ${heights.join(', ')} are in proportion`);
});

test('escapeXml escapes the five XML specials', () => {
  assert.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
});
