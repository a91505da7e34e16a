/**
 * The live heap by constructor, from a V8 heap snapshot (after GC): `{ 'object:HubSession': [count,
 * bytes], 'string': [...] }`, self sizes only. The idle scenario diffs two of these to show where a
 * connection's bytes go.
 */
import { getHeapSnapshot } from 'node:v8';

interface SnapshotJson {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

async function readSnapshot(): Promise<SnapshotJson> {
  const chunks: Buffer[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString()) as SnapshotJson;
}

export async function heapByConstructor(): Promise<Record<string, [number, number]>> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const snapshot = await readSnapshot();
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const summary: Record<string, [number, number]> = {};
  for (let i = 0; i < snapshot.nodes.length; i += stride) {
    const type = types[snapshot.nodes[i + typeAt]!]!;
    const key = type === 'object' || type === 'closure' ? `${type}:${snapshot.strings[snapshot.nodes[i + nameAt]!]!}` : type;
    const entry = (summary[key] ??= [0, 0]);
    entry[0]++;
    entry[1] += snapshot.nodes[i + sizeAt]!;
  }
  return summary;
}
