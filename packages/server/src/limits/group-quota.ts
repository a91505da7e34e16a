/**
 * `maximumGroupsPerConnection`: checked by the lifetime managers where a connection held by this
 * server joins a group (the only place that knows all of its groups, whoever asked: its own hub
 * method, `hubContext` code, or another server through the backplane).
 */
import { HubErrorCode, HubLimitException } from '../errors.js';
import type { HubConnectionContext } from '../lifetime/hub-lifetime-manager.js';

/** The message of the refusal (docs/errors.md, `ERR_HUB_TOO_MANY_GROUPS`). */
export const tooManyGroups = (limit: number): string => `The connection is already in the maximum of ${limit} groups.`;

/**
 * Throws when `connection`, whose current groups are `groups`, may not join `group`. Joining a group it
 * is already in is always fine (group changes are idempotent).
 */
export function checkGroupQuota(connection: HubConnectionContext, groups: ReadonlySet<string> | undefined, group: string): void {
  const refusal = groupQuotaRefusal(connection, groups, group);
  if (refusal !== undefined) throw refusal;
}

/** What {@link checkGroupQuota} would throw, or undefined. */
export function groupQuotaRefusal(connection: HubConnectionContext, groups: ReadonlySet<string> | undefined, group: string): HubLimitException | undefined {
  const limit = connection.maximumGroups;
  if (limit === undefined || limit === null || groups === undefined || groups.size < limit || groups.has(group)) return undefined;
  return new HubLimitException(HubErrorCode.TooManyGroups, tooManyGroups(limit));
}
