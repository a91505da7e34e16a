import type { ChatMessage, DirectMessage } from '../../src/contract.js';

/** A room, or a direct conversation with one person. */
export type Conversation = { readonly kind: 'room'; readonly room: string } | { readonly kind: 'direct'; readonly peer: string };

export interface Line {
  readonly id: string;
  readonly from: string;
  readonly text: string;
  readonly at: number;
}

export function keyOf(conversation: Conversation): string {
  return conversation.kind === 'room' ? `#${conversation.room}` : `@${conversation.peer}`;
}

/**
 * The chat as this tab knows it: lines per conversation (history merged with live messages, each
 * message once even when a reconnect brings it again) and unread counts.
 */
export class ChatState {
  readonly me: string;
  current: Conversation = { kind: 'room', room: 'lobby' };
  online: readonly string[] = [];
  readonly #lines = new Map<string, Line[]>();
  readonly #seen = new Set<string>();
  readonly #unread = new Map<string, number>();

  constructor(me: string) {
    this.me = me;
  }

  /** Adds messages (history or live); returns true when one of them was new. */
  addRoomMessages(messages: readonly ChatMessage[]): boolean {
    let added = false;
    for (const message of messages) added = this.#add({ kind: 'room', room: message.room }, message) || added;
    return added;
  }

  addDirect(message: DirectMessage): boolean {
    const peer = message.from === this.me ? message.to : message.from;
    return this.#add({ kind: 'direct', peer }, message);
  }

  lines(conversation: Conversation): readonly Line[] {
    return this.#lines.get(keyOf(conversation)) ?? [];
  }

  unread(conversation: Conversation): number {
    return this.#unread.get(keyOf(conversation)) ?? 0;
  }

  open(conversation: Conversation): void {
    this.current = conversation;
    this.#unread.delete(keyOf(conversation));
  }

  #add(conversation: Conversation, line: Line): boolean {
    if (this.#seen.has(line.id)) return false;
    this.#seen.add(line.id);
    const key = keyOf(conversation);
    let lines = this.#lines.get(key);
    if (lines === undefined) this.#lines.set(key, (lines = []));
    lines.push({ id: line.id, from: line.from, text: line.text, at: line.at });
    lines.sort((a, b) => a.at - b.at);
    if (lines.length > 200) lines.shift();
    if (key !== keyOf(this.current) && line.from !== this.me) this.#unread.set(key, (this.#unread.get(key) ?? 0) + 1);
    return true;
  }
}
