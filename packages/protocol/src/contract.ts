/**
 * Hub contracts: one type, shared by server and client, that names the methods each side exposes.
 * The server's hub implements `server`; the client registers handlers for `client`. Both sides get
 * compile-time checks of method names, arguments and results without code generation.
 *
 * @example
 * interface ChatContract {
 *   server: { send(text: string): void; history(count: number): string[] };
 *   client: { receive(user: string, text: string): void };
 * }
 */
// `any` is confined to the constraint: concrete contracts use precise parameter types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MethodMap = Record<string, (...args: any[]) => unknown>;

export interface HubContract {
  readonly server: MethodMap;
  readonly client: MethodMap;
}

/** The contract used when none is given: any method, any arguments. */
export interface UntypedContract extends HubContract {
  readonly server: MethodMap;
  readonly client: MethodMap;
}
