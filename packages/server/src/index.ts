export { Switchyard, type SwitchyardOptions, type MapHubOptions, type LifetimeManagerContext } from './switchyard.js';
export { shutdownDefaults, type ShutdownOptions, type ShutdownBatch } from './graceful-shutdown.js';
export { Hub, type HubClass } from './hub.js';
export { HubCallerContext, type HubContext } from './hub-context.js';
export {
  ClientProxy,
  SingleClientProxy,
  HubClients,
  HubCallerClients,
  GroupManager,
  type ClientMethodName,
  type ClientMethodArgs,
} from './clients.js';
export { HubException, HubError, HubErrorCode, HubLimitException, isHubError } from './errors.js';
export { hubOptionDefaults, type HubOptions, type InvocationRateLimit } from './options.js';
export { type Policy, type HubAuthorization } from './auth/authorization.js';
export { jwtAuthenticator, type JwtAuthenticatorOptions } from './auth/jwt.js';
export { type Logger, type LogFunction, silentLogger } from './logger.js';
export { type SwitchyardInstrumentation, type InvocationFailureReason } from './instrumentation.js';
export {
  type HubLifetimeManager,
  type HubConnectionContext,
  type SendTarget,
} from './lifetime/hub-lifetime-manager.js';
export { LocalHubLifetimeManager, type LocalHubLifetimeManagerOptions } from './lifetime/local-hub-lifetime-manager.js';
export { SerializedMessage } from './lifetime/serialized-message.js';
export { Heartbeat } from './heartbeat.js';
export { type Backplane, type Channel, type ChannelKind, type Unsubscribe, BackplaneUnavailableError } from './scaleout/backplane.js';
export { InMemoryBus, InMemoryBackplane } from './scaleout/in-memory-backplane.js';
export { ScaledHubLifetimeManager, type ScaledHubLifetimeManagerOptions } from './scaleout/scaled-hub-lifetime-manager.js';
export { ScaleoutMonitor, type BackplaneStats } from './scaleout/scaleout-monitor.js';
// Convenience: what hub code and authenticate hooks need from the connections layer.
export {
  AccessDeniedError,
  bearerToken,
  type Principal,
  type ConnectionRequest,
  type TransportKind,
  type Connection,
  type ConnectionHandler,
  type ConnectionListener,
  type ConnectionEndpointOptions,
  type AuthenticateHook,
  type CorsOptions,
  redactUrl,
  redactHeaders,
  type ConnectionsInstrumentation,
  type ConnectionCloseReason,
  type OutboundDropReason,
  type ConnectionRefusalReason,
} from '@switchyard/connections';
// Convenience: the JSON protocol and the protocol types, so a JSON-only app needs one import.
export * from '@switchyard/protocol';
