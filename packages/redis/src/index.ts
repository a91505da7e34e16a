export {
  createRedisBackplane,
  RedisBackplane,
  RedisBackplaneError,
  RedisBackplaneErrorCode,
  type RedisBackplaneOptions,
} from './redis-backplane.js';
export { redisChannelName } from './channel-names.js';
