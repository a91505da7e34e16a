import type { ChatMessage } from '../../src/contract.js';
import { ChatState, keyOf, type Conversation } from './chat-state.js';
import { byId, clockTime, el } from './dom.js';
import type { Live } from './live.js';

const TYPING_SHOWN_MS = 3000;
const TYPING_SENT_EVERY_MS = 1500;

/** The chat view: rooms (groups), direct messages (users), who is online and who is typing. */
export function startChat(live: Live, me: string): void {
  const state = new ChatState(me);
  let rooms: readonly string[] = ['lobby'];
  const typing = new Map<string, { user: string; until: number }>();
  const roomList = byId<HTMLUListElement>('rooms');
  const people = byId<HTMLUListElement>('people');
  const messages = byId<HTMLOListElement>('messages');
  const input = byId<HTMLInputElement>('compose-text');
  let lastTypingSent = 0;

  const render = (): void => {
    renderList(roomList, rooms.map((room) => ({ kind: 'room', room }) as const), state, (c) => `# ${c.kind === 'room' ? c.room : ''}`, open);
    const others = state.online.filter((user) => user !== me);
    renderList(people, others.map((peer) => ({ kind: 'direct', peer }) as const), state, (c) => (c.kind === 'direct' ? c.peer : ''), open);
    people.prepend(el('li', { className: 'me' }, el('span', { className: 'dot' }), `${me} (you)`));
    byId('online-count').textContent = String(state.online.length);
    renderMessages(messages, state, me);
    const title = state.current.kind === 'room' ? `# ${state.current.room}` : `@ ${state.current.peer}`;
    byId('conversation-title').textContent = title;
    byId('conversation-hint').textContent = state.current.kind === 'room'
      ? 'a group: everyone who joined it, on every server'
      : 'a user: every connection of theirs and yours';
    input.placeholder = `Message ${title}`;
    renderTyping();
  };

  const renderTyping = (): void => {
    const now = Date.now();
    const entry = typing.get(keyOf(state.current));
    byId('typing').textContent = entry !== undefined && entry.until > now ? `${entry.user} is typing…` : '';
  };

  function open(conversation: Conversation): void {
    state.open(conversation);
    render();
    input.focus();
  }

  live.onCreated((connection) => {
    connection.on('message', (message: ChatMessage) => {
      typing.delete(`#${message.room}`);
      if (state.addRoomMessages([message])) render();
    });
    connection.on('direct', (message) => {
      if (state.addDirect(message)) render();
    });
    connection.on('online', (users) => {
      state.online = users;
      render();
    });
    connection.on('typing', (room, user) => {
      typing.set(`#${room}`, { user, until: Date.now() + TYPING_SHOWN_MS });
      renderTyping();
    });
  });

  live.onReady((connection, welcome) => {
    rooms = welcome.rooms;
    // Joining returns each room's recent messages: what a newcomer or a reconnected tab missed.
    for (const room of rooms) {
      void connection.invoke('join', room).then((history) => {
        if (state.addRoomMessages(history)) render();
      }, () => {});
    }
    render();
  });

  byId<HTMLFormElement>('compose').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    const connection = live.connection;
    if (text === '' || connection === undefined) return;
    input.value = '';
    const { current } = state;
    const sent = current.kind === 'room' ? connection.invoke('say', current.room, text) : connection.invoke('direct', current.peer, text);
    sent.catch((error: unknown) => {
      input.value = text;
      byId('typing').textContent = `Not sent: ${error instanceof Error ? error.message : String(error)}`;
    });
  });

  input.addEventListener('input', () => {
    const connection = live.connection;
    const now = Date.now();
    if (connection === undefined || state.current.kind !== 'room' || now - lastTypingSent < TYPING_SENT_EVERY_MS) return;
    lastTypingSent = now;
    connection.send('typing', state.current.room).catch(() => {});
  });

  setInterval(renderTyping, 500);
  render();
}

function renderList(
  list: HTMLUListElement,
  conversations: readonly Conversation[],
  state: ChatState,
  label: (conversation: Conversation) => string,
  open: (conversation: Conversation) => void,
): void {
  list.replaceChildren(...conversations.map((conversation) => {
    const item = el('li', { className: keyOf(conversation) === keyOf(state.current) ? 'active' : '' });
    if (conversation.kind === 'direct') item.append(el('span', { className: 'dot' }));
    item.append(label(conversation));
    const unread = state.unread(conversation);
    if (unread > 0) item.append(el('span', { className: 'badge', text: String(unread) }));
    item.addEventListener('click', () => open(conversation));
    return item;
  }));
}

function renderMessages(list: HTMLOListElement, state: ChatState, me: string): void {
  const lines = state.lines(state.current);
  if (lines.length === 0) {
    list.replaceChildren(el('li', { className: 'empty', text: 'No messages yet. Say hello!' }));
    return;
  }
  list.replaceChildren(...lines.map((line) => el('li', { className: line.from === me ? 'mine' : '' },
    avatar(line.from),
    el('div', { className: 'bubble' },
      el('div', { className: 'meta' }, el('b', { text: line.from }), el('time', { text: clockTime(line.at) })),
      el('div', { className: 'text', text: line.text })),
  )));
  list.scrollTop = list.scrollHeight;
}

function avatar(name: string): HTMLElement {
  const element = el('span', { className: 'avatar', text: initials(name) });
  element.style.background = colourOf(name);
  return element;
}

function initials(name: string): string {
  return name.replace(/[^\p{L}\p{N}]/gu, '').slice(0, 2).toUpperCase() || '?';
}

/** A stable colour per name, so people are easy to tell apart. */
export function colourOf(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return `hsl(${Math.abs(hash) % 360} 55% 45%)`;
}
