import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub } from './hub.js';
import { HubMethodTable } from './hub-methods.js';

class Base extends Hub {
  shared(): string {
    return 'base';
  }
  inherited(_a: unknown): string {
    return 'inherited';
  }
}

class Derived extends Base {
  override shared(): string {
    return 'derived';
  }
  async *items(_count: number): AsyncGenerator<number> {}
  get notAMethod(): number {
    return 1;
  }
  _helper(): void {}
}

test('methods are found once per class: overrides win, accessors and _names are skipped', () => {
  const table = new HubMethodTable(Derived);
  assert.equal(table.size, 3);
  assert.equal(table.get('shared')?.fn, Object.getOwnPropertyDescriptor(Derived.prototype, 'shared')?.value);
  assert.equal(table.get('INHERITED')?.parameterCount, 1);
  assert.equal(table.get('items')?.streaming, true);
  assert.equal(table.get('shared')?.streaming, false);
  assert.equal(table.get('notAMethod'), undefined);
  assert.equal(table.get('_helper'), undefined);
});

test('two methods differing only by case are rejected', () => {
  class Clash extends Hub {
    send(): void {}
    Send(): void {}
  }
  assert.throws(() => new HubMethodTable(Clash), { code: 'ERR_HUB_INVALID_HUB', message: /'send' and 'Send'/ });
});

test('a hub used before it is attached explains itself', () => {
  class Early extends Hub {
    constructor() {
      super();
      void this.context;
    }
  }
  assert.throws(() => new Early(), { code: 'ERR_HUB_NOT_ATTACHED' });
});
