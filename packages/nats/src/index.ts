export {
  createNatsBackplane,
  NatsBackplane,
  NatsBackplaneError,
  NatsBackplaneErrorCode,
  type NatsBackplaneOptions,
} from './nats-backplane.js';
export { natsSubject, subjectToken } from './subjects.js';
