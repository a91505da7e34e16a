// fast-check generators for hub messages and hostile inputs, shared by the property tests.
import fc from 'fast-check';
import type { HubMessage, MessageHeaders } from '../hub-message.js';

/** A JSON value exactly as JSON can carry it (no -0, plain prototypes), so round trips compare equal. */
export const jsonPayload: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown);

/** Any string, lone surrogates and control characters included. */
const anyString = fc.string({ unit: 'binary', maxLength: 20 });
const id = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });
const headers: fc.Arbitrary<MessageHeaders | undefined> = fc.option(
  fc.dictionary(anyString, anyString, { minKeys: 1, maxKeys: 3 }).map((value) => JSON.parse(JSON.stringify(value)) as MessageHeaders),
  { nil: undefined },
);
const maybe = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arbitrary, { nil: undefined });

/** A plain-prototype copy without undefined properties: the writer omits them, so the reader never produces them. */
function defined<T extends object>(message: T): T {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) if (value !== undefined) copy[key] = value;
  return copy as T;
}

/** Every valid hub message, in the normal form the reader produces. */
export const hubMessage: fc.Arbitrary<HubMessage> = fc.oneof(
  fc
    .record({ headers, invocationId: maybe(id), target: id, args: fc.array(jsonPayload, { maxLength: 4 }), streamIds: maybe(fc.array(id, { maxLength: 3 })) })
    .map(({ args, ...rest }) => defined({ type: 1 as const, ...rest, arguments: args })),
  fc.record({ headers, invocationId: id, item: jsonPayload }).map((m) => defined({ type: 2 as const, ...m })),
  fc
    .record({ headers, invocationId: id, outcome: fc.oneof(fc.record({ error: id }), fc.record({ result: jsonPayload }), fc.constant({})) })
    .map(({ outcome, ...rest }) => defined({ type: 3 as const, ...rest, ...outcome })),
  fc
    .record({ headers, invocationId: id, target: id, args: fc.array(jsonPayload, { maxLength: 4 }), streamIds: maybe(fc.array(id, { maxLength: 3 })) })
    .map(({ args, ...rest }) => defined({ type: 4 as const, ...rest, arguments: args })),
  fc.record({ headers, invocationId: id }).map((m) => defined({ type: 5 as const, ...m })),
  fc.constant({ type: 6 as const }),
  fc.record({ error: maybe(anyString), allowReconnect: maybe(fc.constant(true as const)) }).map((m) => defined({ type: 7 as const, ...m })),
  fc.record({ type: fc.constantFrom(8 as const, 9 as const), sequenceId: fc.maxSafeNat() }).map((m) => defined(m)),
);

const FIELD_NAMES = ['type', 'invocationId', 'target', 'arguments', 'streamIds', 'item', 'result', 'error', 'allowReconnect', 'headers', 'sequenceId', 'extra'] as const;
const fieldValue = fc.oneof(
  fc.integer({ min: -1, max: 10 }),
  fc.double(),
  id,
  fc.constant(''),
  fc.constant(null),
  fc.boolean(),
  jsonPayload,
  fc.array(fc.oneof(id, fc.constant(null), fc.integer()), { maxLength: 3 }),
  fc.dictionary(id, fc.oneof(id, fc.integer(), fc.constant(null)), { maxKeys: 2 }),
);

/**
 * JSON text of a valid message with a few fields deleted, replaced or added: it reaches every branch
 * of the validator far more often than random objects would.
 */
export function corruptedRecord(write: (message: HubMessage) => string): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.constantFrom(...FIELD_NAMES), fc.boolean(), fieldValue);
  return fc.tuple(hubMessage, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([message, edits]) => {
    const json = JSON.parse(write(message)) as Record<string, unknown>;
    for (const [name, remove, value] of edits) {
      if (remove) delete json[name];
      else json[name] = value;
    }
    return JSON.stringify(json);
  });
}

const interestingByte = fc.oneof(fc.constantFrom(0x1e, 0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x5c, 0x30, 0xc3, 0xed, 0xf0, 0xff), fc.integer({ min: 0, max: 255 }));

/** Applies random byte edits (overwrite, insert, delete) to `bytes`. */
export function mutate(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  const edit = fc.tuple(fc.nat(), interestingByte, fc.constantFrom('set', 'insert', 'delete'));
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    const out = [...bytes];
    for (const [position, byte, operation] of edits) {
      const at = position % (out.length + 1);
      if (operation === 'insert') out.splice(at, 0, byte);
      else if (operation === 'delete') out.splice(at, 1);
      else if (at < out.length) out[at] = byte;
    }
    return Uint8Array.from(out);
  });
}

/** Joins byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
