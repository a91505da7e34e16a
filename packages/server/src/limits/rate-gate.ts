/**
 * Applies a session's {@link InvocationBudget} to one invocation: a refused one is answered (Completion
 * error, or nothing for a non-blocking call) and counted; a client that keeps going after
 * `closeAfterRejections` refusals in a row is disconnected.
 */
import type { InvocationMessage, StreamInvocationMessage } from '@switchyard/protocol';
import { HubErrorCode, HubLimitException } from '../errors.js';
import type { HubSession } from '../hub-session.js';
import { sendError } from '../invocation.js';
import { RATE_LIMIT_CLOSE, rateLimited, type InvocationBudget } from './invocation-rate.js';

/** True when `message` was refused here (the dispatcher must not run it). */
export function refusedByRate(session: HubSession, budget: InvocationBudget, message: InvocationMessage | StreamInvocationMessage): boolean {
  const decision = budget.take();
  if (decision === 'allowed') return false;
  if (decision === 'abusive') {
    // No Completion: the connection closes instead; the refusal is still counted.
    session.endpoint.instrumentation.invocationFailed(session.endpoint.hubName, 'rate_limited');
    session.logger.warn('closing a connection that keeps exceeding its invocation rate limit');
    session.closeForLimit(new HubLimitException(HubErrorCode.RateLimited, RATE_LIMIT_CLOSE), false);
  } else {
    sendError(session, message.invocationId, rateLimited(message.target), 'rate_limited');
  }
  return true;
}
