export * from './connection.js';
export { ConnectionRouter, type ConnectionRouterOptions } from './router.js';
export { ConnectionEndpoint } from './endpoint.js';
export {
  connectionEndpointDefaults,
  type AuthenticateHook,
  type ConnectionEndpointOptions,
  type ResolvedConnectionEndpointOptions,
} from './options.js';
export type { CorsOptions, CorsPolicy } from './cors.js';
export { bearerToken } from './auth.js';
export { AccessDeniedError, ConnectionsError, ConnectionsErrorCode, isConnectionsError } from './errors.js';
export {
  noConnectionsInstrumentation,
  completeInstrumentation,
  type ConnectionsInstrumentation,
  type ConnectionCloseReason,
  type OutboundDropReason,
  type ConnectionRefusalReason,
} from './instrumentation.js';
export { redactUrl, redactHeaders } from './redaction.js';
