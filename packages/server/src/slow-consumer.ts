/**
 * The hub side of the slow-consumer policy (docs/slow-consumers-and-shutdown.md): when a connection's
 * outbound buffer overflows, the client is told why in a Close message (delivered where the transport
 * still can) and may reconnect, as after any other server-side failure.
 */
import { MessageType, type HubProtocol } from '@switchyard/protocol';
import { buildErrorMessage, CONNECTION_CLOSED_WITH_ERROR } from './error-messages.js';

/**
 * The Close sent to a slow consumer, with `allowReconnect: true`. The error text always carries the
 * reason ("… ConnectionsError: Outbound buffer limit of N bytes exceeded; …"), detailed errors or not:
 * it is the server's own limit, not an application exception, and the client needs it to understand.
 */
export function slowConsumerClose(protocol: HubProtocol, error: Error): Uint8Array {
  return protocol.writeMessage({
    type: MessageType.Close,
    error: buildErrorMessage(CONNECTION_CLOSED_WITH_ERROR, error, true),
    allowReconnect: true,
  });
}
