import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatHistory } from './chat-history.js';
import { CITY, fleetFrame } from './fleet.js';
import { SYMBOLS, tickerFrame } from './market.js';
import { Presence } from './presence.js';

test('prices and positions are functions of the clock, so every server shows the same', () => {
  const at = Date.UTC(2026, 10, 30, 12, 0, 0);
  assert.deepEqual(tickerFrame(at), tickerFrame(at));
  assert.deepEqual(fleetFrame(at), fleetFrame(at));
  const prices = tickerFrame(at).prices;
  assert.equal(prices.length, SYMBOLS.length);
  assert.ok(prices.every((price) => price > 1 && Number.isFinite(price)));
  // Over ten seconds most symbols trade at least once.
  const later = tickerFrame(at + 10_000).prices;
  assert.ok(later.filter((price, i) => price !== prices[i]).length > SYMBOLS.length / 2);
});

test('vehicles stay on the city grid and move', () => {
  const at = Date.UTC(2026, 10, 30, 12, 0, 0);
  const { positions } = fleetFrame(at);
  assert.equal(positions.length, CITY.vehicles.length * 2);
  for (let i = 0; i < positions.length; i += 2) {
    assert.ok(positions[i]! >= -10 && positions[i]! <= CITY.columns * 100 + 10, `x ${positions[i]}`);
    assert.ok(positions[i + 1]! >= -10 && positions[i + 1]! <= CITY.rows * 100 + 10, `y ${positions[i + 1]}`);
  }
  const moved = fleetFrame(at + 1000).positions.filter((value, i) => value !== positions[i]).length;
  assert.ok(moved > positions.length / 2);
});

test('presence: a server\'s own users, the others\' fresh rosters, stale ones dropped', () => {
  const presence = new Presence('a', 10_000);
  presence.connected('ada');
  presence.connected('ada');
  presence.roster('b', ['linus'], 1_000);
  presence.roster('a', ['ada'], 1_000);
  assert.deepEqual(presence.online(5_000), ['ada', 'linus']);
  assert.equal(presence.changed(presence.online(5_000)), true);
  assert.equal(presence.changed(presence.online(5_000)), false);
  presence.disconnected('ada');
  assert.deepEqual(presence.localUsers(), ['ada'], 'one of two connections left');
  presence.disconnected('ada');
  assert.deepEqual(presence.online(12_000), [], 'b went quiet for longer than 10 s');
});

test('chat history keeps the last messages of each room, oldest first', () => {
  const history = new ChatHistory(2);
  for (const [id, room] of [['1', 'lobby'], ['2', 'lobby'], ['3', 'dispatch'], ['4', 'lobby']] as const) {
    history.add({ id, room, from: 'ada', text: id, at: Number(id) });
  }
  assert.deepEqual(history.recent('lobby').map((message) => message.id), ['2', '4']);
  assert.deepEqual(history.recent('dispatch').map((message) => message.id), ['3']);
  assert.deepEqual(history.recent('markets'), []);
});
