/**
 * The official client's raw `HttpConnection` (negotiate + transports, no hub protocol) as the judge of
 * wire compatibility. Loaded from its CommonJS build; typed from its ESM declarations.
 */
import { createRequire } from 'node:module';
import { HttpTransportType, NullLogger, TransferFormat } from '@microsoft/signalr';
import type { HttpConnection as OfficialHttpConnection } from '@microsoft/signalr/dist/esm/HttpConnection.js';
import type { IHttpConnectionOptions } from '@microsoft/signalr/dist/esm/IHttpConnectionOptions.js';
import type { TransportKind } from '../connection.js';
import { AsyncQueue } from './wait.js';

const require = createRequire(import.meta.url);
const { HttpConnection } = require('@microsoft/signalr/dist/cjs/HttpConnection.js') as {
  HttpConnection: new (url: string, options?: IHttpConnectionOptions) => OfficialHttpConnection;
};

export interface OfficialClient {
  readonly connection: OfficialHttpConnection;
  /** Everything `onreceive` got, in order (strings for text, ArrayBuffers for binary). */
  readonly received: AsyncQueue<string | ArrayBuffer>;
  /** Settles with `onclose`'s error (undefined for a clean close). */
  readonly closed: Promise<Error | undefined>;
}

/** Opens a raw official HttpConnection to `url` on exactly `transport` in `format`. */
export async function openOfficialClient(
  url: string,
  transport: TransportKind,
  format: 'Text' | 'Binary',
  options: IHttpConnectionOptions = {},
): Promise<OfficialClient> {
  const connection = new HttpConnection(url, { transport: HttpTransportType[transport], logger: NullLogger.instance, ...options });
  const received = new AsyncQueue<string | ArrayBuffer>();
  connection.onreceive = (data) => received.push(data);
  const closed = new Promise<Error | undefined>((resolve) => {
    connection.onclose = resolve;
  });
  await connection.start(TransferFormat[format]);
  return { connection, received, closed };
}

/** Decodes what the official client received into text, whatever the format. */
export function asText(data: string | ArrayBuffer): string {
  return typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
}
