import { Hub, HubException } from '@switchyard/server';

const MAX_TEXT_LENGTH = 500;
const MAX_NAME_LENGTH = 40;

/**
 * The demo's chat: rooms are hub groups, the caller's name lives in `context.items`.
 * Client methods it calls: `Joined(room, name)`, `Left(room, name)`, `Message(room, name, text, sentAt)`.
 */
export class ChatHub extends Hub {
  async join(room: string, name: string): Promise<void> {
    const cleanRoom = requireText(room, 'room', MAX_NAME_LENGTH);
    const cleanName = requireText(name, 'name', MAX_NAME_LENGTH);
    const previous = this.context.items.get('room');
    if (typeof previous === 'string' && previous !== cleanRoom) {
      await this.groups.remove(this.context.connectionId, previous);
      await this.clients.group(previous).send('Left', previous, cleanName);
    }
    this.context.items.set('room', cleanRoom);
    this.context.items.set('name', cleanName);
    await this.groups.add(this.context.connectionId, cleanRoom);
    await this.clients.group(cleanRoom).send('Joined', cleanRoom, cleanName);
  }

  async say(text: string): Promise<void> {
    const room = this.context.items.get('room');
    const name = this.context.items.get('name');
    if (typeof room !== 'string' || typeof name !== 'string') throw new HubException('Join a room first.');
    const cleanText = requireText(text, 'text', MAX_TEXT_LENGTH);
    await this.clients.group(room).send('Message', room, name, cleanText, new Date().toISOString());
  }

  /** The transport this connection uses, so the page can show fallback happening. */
  transport(): string {
    return this.context.transport;
  }

  override async onDisconnected(): Promise<void> {
    const room = this.context.items.get('room');
    const name = this.context.items.get('name');
    if (typeof room === 'string' && typeof name === 'string') {
      await this.clients.group(room).send('Left', room, name);
    }
  }
}

function requireText(value: unknown, what: string, maxLength: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw new HubException(`A ${what} is required.`);
  const trimmed = value.trim();
  if (trimmed.length > maxLength) throw new HubException(`The ${what} is longer than ${maxLength} characters.`);
  return trimmed;
}
