import type { ChatMessage } from './contract.js';

/**
 * The recent messages of each room, as this server saw them on the site bus (its own and those of
 * every other server). A server started later only knows what was said since it started: history is
 * in memory, never in the broker.
 */
export class ChatHistory {
  readonly #rooms = new Map<string, ChatMessage[]>();
  readonly #perRoom: number;

  constructor(perRoom = 50) {
    this.#perRoom = perRoom;
  }

  add(message: ChatMessage): void {
    let messages = this.#rooms.get(message.room);
    if (messages === undefined) this.#rooms.set(message.room, (messages = []));
    messages.push(message);
    if (messages.length > this.#perRoom) messages.splice(0, messages.length - this.#perRoom);
  }

  recent(room: string): ChatMessage[] {
    return [...(this.#rooms.get(room) ?? [])];
  }
}
