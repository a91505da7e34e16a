/**
 * Type-level plumbing of the typed client: from one contract type, shared by server and client, derive
 * which names `invoke`/`send`, `stream` and `on` accept, their arguments and their results. No code
 * generation and no runtime cost: all of it is erased.
 *
 * A method whose result is an `AsyncIterable` (an `async *` hub method) is a streaming method: only
 * `stream` accepts it, and only streaming methods are accepted by `stream`. Parameters typed
 * `AsyncIterable<T>` are upload streams: pass an async iterable (an async generator) there.
 */

/**
 * Any contract: `server` (the hub's methods) and `client` (the client's handlers). Both
 * `HubContract` from `@switchyard/protocol` and plain interfaces fit.
 *
 * @example
 * interface Chat {
 *   server: { send(text: string): void; history(count: number): string[]; ticker(): AsyncIterable<number> };
 *   client: { receive(user: string, text: string): void; confirm(question: string): boolean };
 * }
 */
export interface ContractShape {
  readonly server: object;
  readonly client: object;
}

type AnyFunction = (...args: never[]) => unknown;

/** The server half of a contract. */
export type ServerMethods<TContract extends ContractShape> = TContract['server'];
/** The client half of a contract. */
export type ClientMethods<TContract extends ContractShape> = TContract['client'];

/** An untyped half (`Record<string, …>`) accepts every name. */
type IsOpen<TMethods> = string extends keyof TMethods ? true : false;

type ResultOf<TMethod> = TMethod extends (...args: never[]) => infer R ? R : never;

/** Names `invoke` and `send` accept: the server's non-streaming methods. */
export type InvokeMethodName<TContract extends ContractShape> =
  IsOpen<ServerMethods<TContract>> extends true
    ? string
    : {
        [K in keyof ServerMethods<TContract>]: ServerMethods<TContract>[K] extends AnyFunction
          ? ResultOf<ServerMethods<TContract>[K]> extends AsyncIterable<unknown> ? never : K
          : never;
      }[keyof ServerMethods<TContract>] & string;

/** Names `stream` accepts: the server's streaming methods. */
export type StreamMethodName<TContract extends ContractShape> =
  IsOpen<ServerMethods<TContract>> extends true
    ? string
    : {
        [K in keyof ServerMethods<TContract>]: ServerMethods<TContract>[K] extends AnyFunction
          ? ResultOf<ServerMethods<TContract>[K]> extends AsyncIterable<unknown> ? K : never
          : never;
      }[keyof ServerMethods<TContract>] & string;

/** Names `on` and `off` accept: the client's methods. */
export type ClientMethodName<TContract extends ContractShape> =
  IsOpen<ClientMethods<TContract>> extends true
    ? string
    : {
        [K in keyof ClientMethods<TContract>]: ClientMethods<TContract>[K] extends AnyFunction ? K : never;
      }[keyof ClientMethods<TContract>] & string;

type ArgsOf<TMethod> = TMethod extends (...args: infer A) => unknown ? A : never;

/** Arguments of server method `K`. */
export type ServerMethodArgs<TContract extends ContractShape, K extends string> =
  K extends keyof ServerMethods<TContract> ? ArgsOf<ServerMethods<TContract>[K]> : never;

/** What `invoke(K, …)` resolves to. */
export type InvokeResult<TContract extends ContractShape, K extends string> =
  K extends keyof ServerMethods<TContract> ? Awaited<ResultOf<ServerMethods<TContract>[K]>> : never;

/** The item type of streaming method `K`. */
export type StreamItem<TContract extends ContractShape, K extends string> =
  K extends keyof ServerMethods<TContract>
    ? ResultOf<ServerMethods<TContract>[K]> extends AsyncIterable<infer T> ? T : unknown
    : never;

/**
 * A handler for client method `K`: its arguments, and its result (a client result the server awaits),
 * possibly as a promise. Handlers of `void` methods may return anything (it is ignored).
 */
export type ClientHandler<TContract extends ContractShape, K extends string> =
  K extends keyof ClientMethods<TContract>
    ? ClientMethods<TContract>[K] extends (...args: infer A) => infer R
      ? [R] extends [void] ? (...args: A) => unknown : (...args: A) => R | Promise<Awaited<R>>
      : never
    : never;
