/**
 * The negotiate request (`POST <url>/negotiate?negotiateVersion=1`) and its answer, validated field by
 * field: a server's JSON is untrusted input. Texts follow the official client's.
 */
import { ClientError, ClientErrorCode } from './errors.js';
import { httpStatusError, type HttpClient } from './http-client.js';
import type { TransportKind } from './transports/transport.js';

/** One entry of `availableTransports`; `transport` may name a transport this client does not know. */
export interface AvailableTransport {
  readonly transport: string;
  readonly transferFormats: readonly string[];
}

/** A validated negotiate answer that is not a redirect. */
export interface NegotiateResult {
  readonly connectionId: string | undefined;
  /** The secret that goes in `?id=`; the connection id for negotiate version 0. */
  readonly connectionToken: string | undefined;
  readonly availableTransports: readonly AvailableTransport[];
  readonly useStatefulReconnect: boolean;
}

/** A negotiate answer: a connection, or a redirect to another URL (Azure SignalR style). */
export type NegotiateAnswer =
  | ({ readonly kind: 'connection' } & NegotiateResult)
  | { readonly kind: 'redirect'; readonly url: string; readonly accessToken: string | undefined };

const NEGOTIATE_VERSION = 1;

/** `<base>/negotiate` with `negotiateVersion=1` (unless given) and the stateful-reconnect request. */
export function negotiateUrl(baseUrl: string, statefulReconnect: boolean): string {
  const url = new URL(baseUrl);
  url.pathname += url.pathname.endsWith('/') ? 'negotiate' : '/negotiate';
  if (!url.searchParams.has('negotiateVersion')) url.searchParams.append('negotiateVersion', String(NEGOTIATE_VERSION));
  if (statefulReconnect && !url.searchParams.has('useStatefulReconnect')) url.searchParams.append('useStatefulReconnect', 'true');
  return url.toString();
}

/**
 * Sends one negotiate request.
 * @throws ClientError `ERR_CLIENT_NEGOTIATE_FAILED` for every failure, with the HTTP status when there is one.
 */
export async function negotiate(
  http: HttpClient,
  baseUrl: string,
  options: { readonly statefulReconnect: boolean; readonly signal: AbortSignal },
): Promise<NegotiateAnswer> {
  let text: string;
  try {
    const response = await http.send({
      method: 'POST',
      url: negotiateUrl(baseUrl, options.statefulReconnect),
      responseType: 'text',
      signal: options.signal,
      freshToken: true,
    });
    if (response.status !== 200) throw httpStatusError(response);
    text = response.body as string;
  } catch (error) {
    if (options.signal.aborted) throw error;
    const statusCode = error instanceof ClientError ? error.statusCode : undefined;
    let message = `Failed to complete negotiation with the server: ${describe(error)}`;
    if (statusCode === 404) {
      message += ' Either this is not a SignalR endpoint or there is a proxy blocking the connection.';
    }
    throw failed(message, { cause: error, statusCode });
  }
  return readAnswer(text, options.statefulReconnect);
}

function readAnswer(text: string, statefulReconnectRequested: boolean): NegotiateAnswer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw failed('Failed to complete negotiation with the server: the response is not JSON.', { cause: error });
  }
  if (!isRecord(json)) throw failed('Failed to complete negotiation with the server: the response is not a JSON object.');
  if (typeof json['error'] === 'string' && json['error'] !== '') throw failed(json['error']);
  if (json['ProtocolVersion'] !== undefined) {
    throw failed(
      'Detected a connection attempt to an ASP.NET SignalR Server. This client only supports connecting to an ASP.NET Core SignalR Server.',
    );
  }
  const url = optionalString(json, 'url');
  if (url) return { kind: 'redirect', url, accessToken: optionalString(json, 'accessToken') || undefined };

  const version = json['negotiateVersion'];
  const connectionId = optionalString(json, 'connectionId');
  // Version 0 has no token: the connection id is what goes in `?id=`.
  const connectionToken = typeof version === 'number' && version >= 1 ? optionalString(json, 'connectionToken') : connectionId;
  const useStatefulReconnect = json['useStatefulReconnect'] === true;
  if (useStatefulReconnect && !statefulReconnectRequested) {
    throw failed("Client didn't negotiate Stateful Reconnect but the server did.");
  }
  return {
    kind: 'connection',
    connectionId,
    connectionToken,
    availableTransports: readTransports(json['availableTransports']),
    useStatefulReconnect,
  };
}

function readTransports(value: unknown): AvailableTransport[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw failed("Failed to complete negotiation with the server: 'availableTransports' is not an array.");
  const transports: AvailableTransport[] = [];
  for (const entry of value as unknown[]) {
    if (!isRecord(entry) || typeof entry['transport'] !== 'string') {
      throw failed('Failed to complete negotiation with the server: a transport entry has no name.');
    }
    const formats = entry['transferFormats'];
    transports.push({
      transport: entry['transport'],
      transferFormats: Array.isArray(formats) ? (formats as unknown[]).filter((f): f is string => typeof f === 'string') : [],
    });
  }
  return transports;
}

/** True when negotiate named a transport this client implements. */
export function isTransportKind(name: string): name is TransportKind {
  return name === 'WebSockets' || name === 'ServerSentEvents' || name === 'LongPolling';
}

/** `url` plus `id=<token>`, as the official client builds it (the token is URL-safe base64). */
export function connectUrl(url: string, connectionToken: string | undefined): string {
  if (!connectionToken) return url;
  return `${url}${url.includes('?') ? '&' : '?'}id=${encodeURIComponent(connectionToken)}`;
}

function optionalString(json: Record<string, unknown>, key: string): string | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw failed(`Failed to complete negotiation with the server: '${key}' is not a string.`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(error: unknown): string {
  if (error instanceof ClientError && error.code === ClientErrorCode.HttpStatus) return `Error: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function failed(message: string, options?: { cause?: unknown; statusCode?: number | undefined }): ClientError {
  return new ClientError(ClientErrorCode.NegotiateFailed, message, {
    cause: options?.cause,
    ...(options?.statusCode === undefined ? {} : { statusCode: options.statusCode }),
  });
}
