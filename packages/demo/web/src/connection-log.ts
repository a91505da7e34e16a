import { byId, clockTime, el } from './dom.js';

const KEEP = 40;

/** The footer's log of connection events: what fallback, reconnects and transport changes look like. */
export function connectionLog(): (text: string, tone?: 'good' | 'bad' | 'info') => void {
  const list = byId<HTMLOListElement>('log');
  return (text, tone = 'info') => {
    list.prepend(el('li', { className: tone, title: text }, el('time', { text: clockTime(Date.now()) }), ` ${text}`));
    while (list.children.length > KEEP) list.lastElementChild?.remove();
  };
}
