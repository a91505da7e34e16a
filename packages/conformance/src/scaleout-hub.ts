import { Hub, type MapHubOptions } from '@switchyard/server';

/**
 * `/scaleouthub`: cross-server tests of a site running several conformance servers on one backplane
 * (`--backplane`). Every send delivers client method `Receive(message)`; the user id is the `user`
 * query parameter (this hub only), so a test names its users without tokens.
 */
export class ScaleoutHub extends Hub {
  getConnectionId(): string {
    return this.context.connectionId;
  }

  async joinGroup(group: string): Promise<void> {
    await this.groups.add(this.context.connectionId, group);
  }

  async leaveGroup(group: string): Promise<void> {
    await this.groups.remove(this.context.connectionId, group);
  }

  /** Adds any connection, held by whichever server of the site. */
  async addToGroup(connectionId: string, group: string): Promise<void> {
    await this.groups.add(connectionId, group);
  }

  async sendToGroup(group: string, message: unknown): Promise<void> {
    await this.clients.group(group).send('Receive', message);
  }

  async sendToUser(user: string, message: unknown): Promise<void> {
    await this.clients.user(user).send('Receive', message);
  }

  async sendToAll(message: unknown): Promise<void> {
    await this.clients.all.send('Receive', message);
  }

  async sendToConnection(connectionId: string, message: unknown): Promise<void> {
    await this.clients.client(connectionId).send('Receive', message);
  }

  /** What the client's `Answer` handler returns (a client result, across servers when need be). */
  async askClient(connectionId: string): Promise<unknown> {
    return await this.clients.client(connectionId).invoke('Answer');
  }
}

/** The user id is the `user` query parameter of the request that opened the transport. */
export const scaleoutHubOptions: MapHubOptions = {
  enableDetailedErrors: true,
  userIdProvider: (connection) => connection.request.url.searchParams.get('user') ?? undefined,
};
