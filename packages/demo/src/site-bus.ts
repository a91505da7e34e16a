import type { Backplane, Unsubscribe } from '@switchyard/server';

/**
 * A small shared channel between the demo's server processes, for what hub messages cannot do:
 * servers telling each other about room history and who is online. With a backplane it rides the
 * same broker connection on a channel no hub uses; without one it is a local call.
 * Delivery is what the backplane gives: at most once, every server including the publisher.
 */
export interface SiteBus {
  publish(event: SiteEvent): void;
  subscribe(onEvent: (event: SiteEvent) => void): Promise<Unsubscribe>;
}

export type SiteEvent =
  | { readonly type: 'message'; readonly room: string; readonly id: string; readonly from: string; readonly text: string; readonly at: number }
  | { readonly type: 'roster'; readonly instance: string; readonly users: readonly string[]; readonly at: number };

/** A hub name that no mapped hub has, so the demo's channel never mixes with hub traffic. */
const CHANNEL = { kind: 'all', hub: 'SwitchyardDemoSite' } as const;

export function localSiteBus(): SiteBus {
  const listeners = new Set<(event: SiteEvent) => void>();
  return {
    publish(event) {
      for (const listener of listeners) listener(event);
    },
    subscribe(onEvent) {
      listeners.add(onEvent);
      return Promise.resolve(() => {
        listeners.delete(onEvent);
        return Promise.resolve();
      });
    },
  };
}

export function backplaneSiteBus(backplane: Backplane, onError: (error: unknown) => void): SiteBus {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return {
    publish(event) {
      // A lost event costs a history line or a roster refresh (the next one comes within seconds).
      backplane.publish(CHANNEL, encoder.encode(JSON.stringify(event))).catch(onError);
    },
    subscribe(onEvent) {
      return backplane.subscribe(CHANNEL, (payload) => {
        try {
          onEvent(JSON.parse(decoder.decode(payload)) as SiteEvent);
        } catch (error) {
          onError(error);
        }
      });
    },
  };
}
