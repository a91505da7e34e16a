import type { Channel } from '@switchyard/server';

/**
 * The Redis channel of a backplane channel, in ASP.NET Core SignalR's scheme (signalr-wire.md §5.1):
 * `{prefix}{hub}:all`, `:group:{name}`, `:user:{id}`, `:connection:{id}`, `:internal:groups`,
 * `:internal:ack:{server}`, `:internal:return:{server}`. Redis channel names are binary-safe, so names
 * are used as they are. `prefix` plays StackExchange.Redis's `ChannelPrefix`: it is prepended as given,
 * so several apps can share one Redis.
 */
export function redisChannelName(channel: Channel, prefix = ''): string {
  const base = `${prefix}${channel.hub}`;
  switch (channel.kind) {
    case 'all':
      return `${base}:all`;
    case 'group':
      return `${base}:group:${channel.group}`;
    case 'user':
      return `${base}:user:${channel.userId}`;
    case 'connection':
      return `${base}:connection:${channel.connectionId}`;
    case 'groupCommands':
      return `${base}:internal:groups`;
    case 'ack':
      return `${base}:internal:ack:${channel.serverId}`;
    case 'return':
      return `${base}:internal:return:${channel.serverId}`;
  }
}
