/**
 * The callable methods of a hub class, found once at mapHub time. Lookup is case-insensitive as in
 * .NET; the exact name is tried first so the common case costs no string folding.
 */
import type { Policy } from './auth/authorization.js';
import { HubError, HubErrorCode } from './errors.js';
import { Hub, type HubClass } from './hub.js';

const NOT_CALLABLE = new Set(['constructor', 'onConnected', 'onDisconnected']);
const AsyncGeneratorFunction = (Object.getPrototypeOf(async function* () {}) as { constructor: typeof Function }).constructor;

/** One callable hub method. */
export interface HubMethod {
  /** The name as declared. */
  readonly name: string;
  readonly fn: (this: Hub, ...args: unknown[]) => unknown;
  /** Declared with `async *`: answers a StreamInvocation with StreamItems. */
  readonly streaming: boolean;
  /** `fn.length`: regular arguments plus upload streams. */
  readonly parameterCount: number;
  /** From `authorization.methods`; undefined = anyone who reached the hub. */
  readonly policy: Policy | undefined;
}

export class HubMethodTable {
  readonly #exact = new Map<string, HubMethod>();
  readonly #folded = new Map<string, HubMethod>();

  /**
   * @throws HubError `ERR_HUB_INVALID_HUB` when two methods differ only by case, or a policy names no method.
   */
  constructor(hubClass: HubClass, policies: Readonly<Record<string, Policy>> = {}) {
    const foldedPolicies = new Map<string, Policy>();
    for (const [name, policy] of Object.entries(policies)) foldedPolicies.set(name.toLowerCase(), policy);

    for (let proto: unknown = hubClass.prototype; isBelowHub(proto); proto = Object.getPrototypeOf(proto)) {
      for (const name of Object.getOwnPropertyNames(proto)) {
        if (NOT_CALLABLE.has(name) || name.startsWith('_') || this.#exact.has(name)) continue;
        const fn = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
        if (typeof fn !== 'function') continue;
        const folded = name.toLowerCase();
        const clash = this.#folded.get(folded);
        if (clash !== undefined) {
          throw new HubError(
            HubErrorCode.InvalidHub,
            `Hub '${hubClass.name}' has methods '${clash.name}' and '${name}', which differ only by case; invocation targets are matched case-insensitively.`,
          );
        }
        const method: HubMethod = {
          name,
          fn: fn as HubMethod['fn'],
          streaming: fn instanceof AsyncGeneratorFunction,
          parameterCount: fn.length,
          policy: foldedPolicies.get(folded),
        };
        this.#exact.set(name, method);
        this.#folded.set(folded, method);
      }
    }
    for (const name of Object.keys(policies)) {
      if (!this.#folded.has(name.toLowerCase())) {
        throw new HubError(HubErrorCode.InvalidHub, `Authorization policy names '${name}', which is not a method of hub '${hubClass.name}'.`);
      }
    }
  }

  /** The method an invocation `target` names, if any. */
  get(target: string): HubMethod | undefined {
    return this.#exact.get(target) ?? this.#folded.get(target.toLowerCase());
  }

  get size(): number {
    return this.#exact.size;
  }
}

function isBelowHub(proto: unknown): proto is object {
  return proto !== null && proto !== undefined && proto !== Hub.prototype && proto !== Object.prototype;
}
