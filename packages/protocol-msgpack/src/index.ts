export { MessagePackHubProtocol } from './messagepack-hub-protocol.js';
export { CompletionResultKind } from './read-hub-message.js';
