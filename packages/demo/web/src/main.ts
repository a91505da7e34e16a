import { startChat } from './chat.js';
import { connectionLog } from './connection-log.js';
import { byId } from './dom.js';
import { startFleet } from './fleet-map.js';
import { initialName, initialTransport, saveName, saveTransport, type TransportChoice } from './identity.js';
import { Live } from './live.js';
import { startMarket } from './market.js';
import { startMonitor } from './monitor.js';

// The page: four views on one hub connection, a transport picker and the connection's state.
const VIEWS = ['chat', 'market', 'fleet', 'monitor'] as const;
type View = (typeof VIEWS)[number];

const me = initialName();
const log = connectionLog();
const stateBadge = byId('state');
const live = new Live({
  user: me,
  log,
  onState(state, detail) {
    stateBadge.dataset['state'] = state;
    byId('state-text').textContent = `${state} · ${detail}`;
  },
});

let view: View = VIEWS.find((name) => `#${name}` === location.hash) ?? 'chat';
const visible = (name: View) => (): boolean => view === name && document.visibilityState === 'visible';
startChat(live, me);
startMarket(live, visible('market'));
startFleet(live, visible('fleet'));
const redrawMonitor = startMonitor(live, visible('monitor'));

function show(next: View): void {
  view = next;
  for (const name of VIEWS) byId(`view-${name}`).classList.toggle('active', name === next);
  for (const tab of byId('tabs').querySelectorAll<HTMLButtonElement>('button')) tab.classList.toggle('active', tab.dataset['view'] === next);
  history.replaceState(null, '', `${location.pathname}${location.search}#${next}`);
  if (next === 'monitor') redrawMonitor();
}

byId('tabs').addEventListener('click', (event) => {
  const wanted = (event.target as HTMLElement).closest('button')?.dataset['view'];
  const next = VIEWS.find((name) => name === wanted);
  if (next !== undefined) show(next);
});
window.addEventListener('resize', () => view === 'monitor' && redrawMonitor());

const picker = byId<HTMLSelectElement>('transport');
const transport = initialTransport();
picker.value = transport;
picker.addEventListener('change', () => {
  const choice = picker.value as TransportChoice;
  saveTransport(choice);
  const described = { auto: 'Auto (WebSockets, then SSE, then long polling)', 'auto-blocked': 'Auto with WebSockets refused on the way' }[choice as string] ?? choice;
  log(`Transport set to ${described}: reconnecting.`);
  void live.connect(choice);
});

const userButton = byId<HTMLButtonElement>('user');
userButton.textContent = me;
userButton.addEventListener('click', () => {
  const name = window.prompt('Your name in the chat', me)?.trim();
  if (name === undefined || name === '' || name === me) return;
  saveName(name);
  location.reload();
});

show(view);
void live.connect(transport);
