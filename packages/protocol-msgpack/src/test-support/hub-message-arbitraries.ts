/**
 * fast-check generators of hub messages in canonical form: the form our reader returns, so a written
 * and re-read message is deep-equal to the original (no empty headers, non-empty ids, no `-0`, no
 * `allowReconnect: false`: those are written in an equivalent shorter way and read back without them).
 */
import fc from 'fast-check';
import type { HubMessage } from '@switchyard/protocol';

const text = (minLength = 0, maxLength = 12): fc.Arbitrary<string> => fc.string({ unit: 'grapheme', minLength, maxLength });

// `__proto__` is refused by the decoder (prototype pollution); fast-check generates it on purpose.
const mapKey = text(0, 8).filter((key) => key !== '__proto__');

export const idArb = text(1);

export const headersArb = fc.dictionary(text(1, 8).filter((key) => key !== '__proto__'), text(1), {
  minKeys: 1,
  maxKeys: 3,
  noNullPrototype: true,
});

/** Every value type MessagePack round-trips through `@msgpack/msgpack`. */
export const valueArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    // -0 is written as the integer 0.
    fc.double().filter((n) => !Object.is(n, -0)),
    text(0, 20),
    fc.uint8Array({ maxLength: 16 }),
    fc.date({ noInvalidDate: true }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(mapKey, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

const argumentsArb = fc.array(valueArb, { maxLength: 4 });
const sequenceIdArb = fc.maxSafeNat();

const invocationArb = fc.record(
  {
    type: fc.constant(1 as const),
    headers: headersArb,
    invocationId: idArb,
    target: idArb,
    arguments: argumentsArb,
    streamIds: fc.array(idArb, { maxLength: 3 }),
  },
  { requiredKeys: ['type', 'target', 'arguments'], noNullPrototype: true },
);

const streamInvocationArb = fc.record(
  {
    type: fc.constant(4 as const),
    headers: headersArb,
    invocationId: idArb,
    target: idArb,
    arguments: argumentsArb,
    streamIds: fc.array(idArb, { maxLength: 3 }),
  },
  { requiredKeys: ['type', 'invocationId', 'target', 'arguments'], noNullPrototype: true },
);

const streamItemArb = fc.record(
  { type: fc.constant(2 as const), headers: headersArb, invocationId: idArb, item: valueArb },
  { requiredKeys: ['type', 'invocationId', 'item'], noNullPrototype: true },
);

const completionBase = { type: fc.constant(3 as const), headers: headersArb, invocationId: idArb };
const completionArb = fc.oneof(
  fc.record(completionBase, { requiredKeys: ['type', 'invocationId'], noNullPrototype: true }),
  fc.record({ ...completionBase, result: valueArb }, { requiredKeys: ['type', 'invocationId', 'result'], noNullPrototype: true }),
  fc.record({ ...completionBase, error: text(0) }, { requiredKeys: ['type', 'invocationId', 'error'], noNullPrototype: true }),
);

const cancelArb = fc.record(
  { type: fc.constant(5 as const), headers: headersArb, invocationId: idArb },
  { requiredKeys: ['type', 'invocationId'], noNullPrototype: true },
);

const closeArb = fc.record(
  { type: fc.constant(7 as const), error: text(0), allowReconnect: fc.constant(true as const) },
  { requiredKeys: ['type'], noNullPrototype: true },
);

/** Any hub message in canonical form. */
export const hubMessageArb: fc.Arbitrary<HubMessage> = fc.oneof(
  invocationArb,
  streamInvocationArb,
  streamItemArb,
  completionArb,
  cancelArb,
  fc.constant({ type: 6 as const }),
  closeArb,
  fc.record({ type: fc.constant(8 as const), sequenceId: sequenceIdArb }, { noNullPrototype: true }),
  fc.record({ type: fc.constant(9 as const), sequenceId: sequenceIdArb }, { noNullPrototype: true }),
);

/**
 * Messages the official client writes without loss: it always writes Close as `[7, nil]`, and it
 * writes a Completion with an empty error as a success (its check is `error ? … : …`).
 */
export const officialWritableMessageArb: fc.Arbitrary<HubMessage> = hubMessageArb.filter((message) => {
  if (message.type === 7) return message.error === undefined && message.allowReconnect === undefined;
  if (message.type === 3) return message.error !== '';
  return true;
});
