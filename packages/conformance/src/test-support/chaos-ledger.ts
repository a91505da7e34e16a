/**
 * Judges what each receiver of the chaos test got against what docs/guarantees.md allows: no
 * duplicate ever, the order of each sender kept, and losses only inside the outage windows the test
 * recorded. Per sender and receiver, a window spans from the last message delivered before the cut
 * to the first message sent after the recorded restore: only the messages in between may be lost.
 */
import type { Delivery, Send } from './chaos-site.js';

/** A fault the test injected and the moment it recorded the site as whole again. */
export interface Outage {
  readonly name: string;
  /** When the fault was injected. */
  readonly cutAt: number;
  /**
   * When the test saw the pair served again; messages sent from then on are due. `Infinity`: never
   * (a killed sender), so only its last messages, after the last one delivered, may be lost.
   */
  readonly restoredAt: number;
  /** A later, per-pair restore time (the pair's first delivery after the fault), where it is known. */
  restoredFor?(sender: string, receiver: string): number | undefined;
  /** Whether it may cost `receiver` messages of `sender`. */
  affects(sender: string, receiver: string): boolean;
}

export interface ReceiverRecord {
  readonly name: string;
  readonly joinedAt: number;
  readonly deliveries: readonly Delivery[];
}

export interface PairCount {
  readonly sender: string;
  readonly receiver: string;
  /** Sends the receiver was due (targeted it, completed, started after it joined). */
  readonly due: number;
  readonly delivered: number;
  /** Due and never delivered, inside an outage window (allowed). */
  readonly lostInOutage: number;
  /** Due and never delivered outside every window (a broken guarantee). */
  readonly lostOutside: number;
  readonly duplicated: number;
  readonly outOfOrder: number;
}

const targets = (send: Send, receiver: string): boolean => send.target === 'all' || send.target === 'group' || send.target === receiver;

/** Counts per (sender, receiver) pair. */
export function judge(sends: readonly Send[], receivers: readonly ReceiverRecord[], outages: readonly Outage[]): PairCount[] {
  const senders = [...new Set(sends.map((send) => send.sender))];
  const counts: PairCount[] = [];
  for (const receiver of receivers) {
    for (const sender of senders) {
      const mine = sends.filter((send) => send.sender === sender && targets(send, receiver.name));
      const due = mine.filter((send) => send.completedAt !== undefined && send.startedAt >= receiver.joinedAt);
      const got = receiver.deliveries.filter((delivery) => delivery.sender === sender);
      const seen = new Set<number>();
      let duplicated = 0;
      let outOfOrder = 0;
      let last = 0;
      for (const delivery of got) {
        if (seen.has(delivery.n)) duplicated++;
        else if (delivery.n < last) outOfOrder++;
        seen.add(delivery.n);
        last = Math.max(last, delivery.n);
      }
      const windows = outages
        .filter((outage) => outage.affects(sender, receiver.name))
        .map((outage) => {
          const before = got.filter((delivery) => delivery.at < outage.cutAt).map((delivery) => delivery.n);
          const restoredAt = outage.restoredFor?.(sender, receiver.name) ?? outage.restoredAt;
          const after = mine.filter((send) => send.startedAt >= restoredAt).map((send) => send.n);
          // A killed sender never comes back: only its tail, after the last delivered message, may be lost.
          const from = outage.restoredAt === Number.POSITIVE_INFINITY ? Math.max(0, ...got.map((d) => d.n)) : Math.max(0, ...before);
          return { from, to: Math.min(Number.POSITIVE_INFINITY, ...after) };
        });
      const lost = due.filter((send) => !seen.has(send.n));
      const inWindow = lost.filter((send) => windows.some(({ from, to }) => send.n > from && send.n < to)).length;
      counts.push({
        sender,
        receiver: receiver.name,
        due: due.length,
        delivered: seen.size,
        lostInOutage: inWindow,
        lostOutside: lost.length - inWindow,
        duplicated,
        outOfOrder,
      });
    }
  }
  return counts;
}

/** Deliveries of messages no sender ever sent (corruption, cross-talk). */
export function strangers(sends: readonly Send[], receivers: readonly ReceiverRecord[]): string[] {
  const known = new Set(sends.map((send) => `${send.sender}|${send.n}`));
  return receivers.flatMap((receiver) => receiver.deliveries.filter((d) => !known.has(`${d.sender}|${d.n}`)).map((d) => `${receiver.name} got ${d.sender}|${d.n}`));
}

/** A table for the test log. */
export function formatCounts(counts: readonly PairCount[]): string {
  const rows = counts.map((c) => `${c.sender.padEnd(8)} → ${c.receiver.padEnd(8)} due ${String(c.due).padStart(5)}  delivered ${String(c.delivered).padStart(5)}  lost in outage ${String(c.lostInOutage).padStart(4)}  lost outside ${c.lostOutside}  duplicated ${c.duplicated}  out of order ${c.outOfOrder}`);
  return rows.join('\n');
}
