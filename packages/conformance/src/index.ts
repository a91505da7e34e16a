export {
  startConformanceServer,
  type ConformanceServer,
  type ConformanceServerOptions,
} from './conformance-server.js';
export { TestHub, type ComplexObject } from './test-hub.js';
export { AuthorizedHub } from './authorized-hub.js';
export { ScaleoutHub, scaleoutHubOptions } from './scaleout-hub.js';
export { createBackplane, backplaneKind, type BackplaneKind } from './backplane-url.js';
export { createLogger } from './logging.js';
export {
  createTestAuthority,
  CLOCK_SKEW_MS,
  NAME_IDENTIFIER_CLAIM,
  TOKEN_LIFETIME_MS,
  type TestAuthority,
} from './test-authority.js';
export { createSelfSignedCertificate, type SelfSignedCertificate } from './self-signed-certificate.js';
