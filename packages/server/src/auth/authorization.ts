import type { Principal } from '@switchyard/connections';

/**
 * Who may use a hub or a hub method: `true` = any authenticated user; a function decides per user
 * (it is only called with a principal: unauthenticated callers are always refused).
 */
export type Policy = true | ((user: Principal) => boolean | Promise<boolean>);

/** Authorization of one hub, by hub and by method. */
export interface HubAuthorization {
  /**
   * Checked at negotiate and on every transport request (401 when there is no user, 403 when the
   * policy refuses). Needs the endpoint's `authenticate` hook (for example {@link jwtAuthenticator}).
   */
  readonly hub?: Policy;
  /**
   * Per method, keyed by method name (matched case-insensitively, like invocation targets). A refused
   * invocation gets "Failed to invoke '{method}' because user is unauthorized".
   */
  readonly methods?: Readonly<Record<string, Policy>>;
}

/** Evaluates `policy` for `user`; synchronous when it can be, so unguarded calls stay cheap. */
export function evaluatePolicy(policy: Policy, user: Principal | undefined): boolean | Promise<boolean> {
  if (user === undefined) return false;
  if (policy === true) return true;
  return policy(user);
}
