export { HubConnection, HubConnectionState } from './hub-connection.js';
export { HubConnectionBuilder } from './hub-connection-builder.js';
export { HubStream } from './stream-registry.js';
export { hubConnectionDefaults, type HubConnectionOptions } from './options.js';
export {
  exponentialBackoff,
  exponentialBackoffDefaults,
  fixedDelays,
  type ExponentialBackoffOptions,
  type ReconnectPolicy,
  type RetryContext,
} from './reconnect-policy.js';
export { ClientError, ClientErrorCode, isClientError, type ClientErrorOptions } from './errors.js';
export { silentLogger, type Logger } from './logger.js';
export type { AccessTokenFactory, FetchFunction } from './http-client.js';
export type { TransportKind } from './transports/transport.js';
export type { WebSocketConstructor, WebSocketLike } from './transports/websocket.js';
export type {
  ClientHandler,
  ClientMethodName,
  ContractShape,
  InvokeMethodName,
  InvokeResult,
  ServerMethodArgs,
  StreamItem,
  StreamMethodName,
} from './contract-types.js';
// The JSON protocol is the default; re-exported so that typing a contract needs one import.
export { JsonHubProtocol, type HubContract, type HubProtocol } from '@switchyard/protocol';
