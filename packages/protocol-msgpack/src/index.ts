export { MessagePackHubProtocol } from './messagepack-hub-protocol.js';
