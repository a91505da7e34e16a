export * from './hub-message.js';
export * from './hub-protocol.js';
export * from './errors.js';
export * from './contract.js';
export * from './binary-message-format.js';
