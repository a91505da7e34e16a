import type { TransportKind } from '@switchyard/client';

const NAMES = ['Ada', 'Grace', 'Linus', 'Barbara', 'Ken', 'Margaret', 'Dennis', 'Frances', 'Alan', 'Radia', 'Guido', 'Hedy'];

/** Who this tab is and which transport it wants: `?name=&transport=` first, then what was chosen before. */
export function initialName(): string {
  const fromUrl = new URLSearchParams(location.search).get('name');
  if (fromUrl !== null && fromUrl.trim() !== '') return fromUrl.trim();
  const saved = sessionStorage.getItem('switchyard-demo-name');
  if (saved !== null) return saved;
  const name = `${NAMES[Math.floor(Math.random() * NAMES.length)]!}-${Math.floor(Math.random() * 90 + 10)}`;
  sessionStorage.setItem('switchyard-demo-name', name);
  return name;
}

export function saveName(name: string): void {
  sessionStorage.setItem('switchyard-demo-name', name);
  replaceParam('name', name);
}

/** A transport, any (`auto`), or any with WebSockets failing as behind a proxy that refuses them. */
export type TransportChoice = TransportKind | 'auto' | 'auto-blocked';
const CHOICES: readonly string[] = ['WebSockets', 'ServerSentEvents', 'LongPolling', 'auto-blocked'];

export function initialTransport(): TransportChoice {
  const wanted = new URLSearchParams(location.search).get('transport') ?? 'auto';
  return CHOICES.includes(wanted) ? (wanted as TransportChoice) : 'auto';
}

export function saveTransport(transport: TransportChoice): void {
  replaceParam('transport', transport === 'auto' ? null : transport);
}

function replaceParam(name: string, value: string | null): void {
  const url = new URL(location.href);
  if (value === null) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  history.replaceState(null, '', url);
}
