/** Connection handlers used by the tests: an echo (like the official /echo endpoint) and a recorder. */
import type { TransferFormat } from '@switchyard/protocol';
import type { Connection, ConnectionHandler } from '../connection.js';
import { AsyncQueue } from './wait.js';

/** Echoes every inbound chunk; `format` selects WebSocket frame types. */
export function echoHandler(format: TransferFormat = 'Text'): ConnectionHandler {
  return (connection) => {
    connection.transferFormat = format;
    return {
      onData: (payload) => {
        connection.send(payload);
      },
      onClose: () => {},
    };
  };
}

/** What a {@link recordingHandler} saw. */
export interface Recording {
  readonly connections: AsyncQueue<Connection>;
  readonly data: AsyncQueue<{ connection: Connection; payload: Uint8Array }>;
  readonly closes: AsyncQueue<{ connection: Connection; error: Error | undefined }>;
  readonly handler: ConnectionHandler;
}

/** Records connections, inbound data and closes for a test to await. */
export function recordingHandler(): Recording {
  const connections = new AsyncQueue<Connection>();
  const data = new AsyncQueue<{ connection: Connection; payload: Uint8Array }>();
  const closes = new AsyncQueue<{ connection: Connection; error: Error | undefined }>();
  const handler: ConnectionHandler = (connection) => {
    connections.push(connection);
    return {
      onData: (payload) => data.push({ connection, payload: Uint8Array.from(payload) }),
      onClose: (error) => closes.push({ connection, error }),
    };
  };
  return { connections, data, closes, handler };
}
