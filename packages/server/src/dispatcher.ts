/**
 * Routes each inbound hub message. Everything that needs no parallel-invocation slot is answered here
 * (unknown method, wrong argument count, upload items, cancels, client results); invocations are then
 * started without being awaited, so the connection keeps reading.
 */
import { MessageType, type HubMessage, type InvocationMessage, type StreamInvocationMessage } from '@switchyard/protocol';
import { HubException } from './errors.js';
import { argumentCountMismatch, bindingFailed, buildErrorMessage, unknownMethod } from './error-messages.js';
import type { HubSession } from './hub-session.js';
import { runInvocation, sendError } from './invocation.js';
import { refusedByRate } from './limits/rate-gate.js';

/**
 * Handles one message. Returns false only when a non-streaming invocation must wait for a slot: the
 * caller keeps the message (and everything after it) and offers it again once a slot is free.
 */
export function dispatchMessage(session: HubSession, message: HubMessage): boolean {
  switch (message.type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation:
      return dispatchInvocation(session, message);
    case MessageType.StreamItem: {
      const upload = session.streams.upload(message.invocationId);
      if (upload !== undefined) upload.push(message.item);
      else session.logger.debug({ streamId: message.invocationId }, 'item for an unknown stream ignored');
      return true;
    }
    case MessageType.Completion: {
      const upload = session.streams.upload(message.invocationId);
      if (upload !== undefined) {
        upload.end(message.error === undefined ? undefined : new HubException(message.error));
        session.streams.forgetUpload(upload);
      } else if (!session.endpoint.manager.setConnectionResult(session.connectionId, message)) {
        session.logger.debug(
          { invocationId: message.invocationId },
          'completion for an unknown invocation ignored',
        );
      }
      return true;
    }
    case MessageType.CancelInvocation:
      // Unknown ids are fine: the stream may have ended while the client was cancelling it.
      session.streams.serverStream(message.invocationId)?.cancel();
      return true;
    case MessageType.Ping:
      session.armClientTimeout();
      return true;
    case MessageType.Close:
      session.closeFromClient(message.error);
      return true;
    case MessageType.Ack:
    case MessageType.Sequence:
      // With stateful reconnect the session's MessageBuffer consumes these before dispatch; without it
      // they mean nothing to the server.
      return true;
  }
}

function dispatchInvocation(session: HubSession, message: InvocationMessage | StreamInvocationMessage): boolean {
  const { endpoint } = session;
  const method = endpoint.methods.get(message.target);
  if (method === undefined) {
    session.logger.debug({ target: message.target }, 'unknown hub method');
    sendError(session, message.invocationId, unknownMethod(message.target), 'unknown_method');
    return true;
  }
  const streamIds = message.streamIds;
  const streamCount = streamIds === undefined ? 0 : streamIds.length;
  if (message.arguments.length + streamCount !== method.parameterCount) {
    const detail = new Error(argumentCountMismatch(message.arguments.length, Math.max(0, method.parameterCount - streamCount)));
    detail.name = 'InvalidDataException';
    sendError(session, message.invocationId, buildErrorMessage(bindingFailed(message.target), detail, endpoint.options.enableDetailedErrors), 'invalid_invocation');
    return true;
  }
  // Streams (either direction) do not take a slot: they must not stop the connection from reading
  // the very items and cancels they depend on.
  const usesSlot = streamCount === 0 && message.type === MessageType.Invocation;
  if (usesSlot && !session.inbound.tryAcquireSlot()) return false;
  // The rate is charged only now, once, when the invocation is about to run (not while it waits for a slot).
  const budget = session.invocationBudget;
  if (budget !== undefined && refusedByRate(session, budget, message)) {
    if (usesSlot) session.inbound.releaseSlot();
    return true;
  }
  // Uploads are registered now, before any await, so the StreamItems that follow find them.
  const uploads = streamCount === 0 ? undefined : session.streams.openUploads(streamIds!);
  void runInvocation(session, method, message, usesSlot, uploads);
  return true;
}
