/**
 * HTTP over `fetch` (browsers and Node 20+), with the access-token rules of the official client: the
 * token factory is called for every negotiate; other requests reuse the last token and, on a 401,
 * fetch a fresh one and retry once.
 */
import { ClientError, ClientErrorCode } from './errors.js';

/** The `fetch` function the client uses; the global one by default. */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/** Returns the bearer token to send, or an empty string for none. */
export type AccessTokenFactory = () => string | Promise<string>;

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly url: string;
  /** Extra headers of this request (`Accept` for event streams). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  /** Overrides the client's timeout for this request (long polls wait longer); 0 = no timeout. */
  readonly timeoutMs?: number;
  readonly responseType: 'text' | 'bytes';
  /** Negotiate: always ask the factory for a fresh token instead of reusing the last one. */
  readonly freshToken?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly statusText: string;
  /** Text or bytes as asked for successful answers; always text for error statuses. */
  readonly body: string | Uint8Array;
}

export interface HttpClientOptions {
  readonly fetch: FetchFunction;
  readonly headers: Readonly<Record<string, string>>;
  readonly withCredentials: boolean;
  readonly requestTimeoutMs: number;
}

export class HttpClient {
  readonly #options: HttpClientOptions;
  #tokenFactory: AccessTokenFactory | undefined;
  #token: string | undefined;

  constructor(options: HttpClientOptions) {
    this.#options = options;
  }

  /** Starts a connection attempt with the configured factory (a negotiate redirect may have replaced it). */
  useTokenFactory(factory: AccessTokenFactory | undefined): void {
    this.#tokenFactory = factory;
    this.#token = undefined;
  }

  /** A negotiate redirect handed out a token: use it as is until the next start. */
  useFixedToken(token: string): void {
    this.#tokenFactory = undefined;
    this.#token = token;
  }

  /** The token for a WebSocket or event stream: fresh from the factory, else the last one. */
  async accessToken(): Promise<string | undefined> {
    if (this.#tokenFactory !== undefined) this.#token = await this.#tokenFactory();
    return this.#token || undefined;
  }

  /**
   * Sends a request. Resolves with any HTTP status (see {@link httpStatusError}); rejects with
   * `ERR_CLIENT_REQUEST_TIMEOUT`, with the signal's reason when aborted, or with fetch's own error
   * when the network fails.
   */
  async send(request: HttpRequest): Promise<HttpResponse> {
    return this.#read(await this.open(request), request);
  }

  /**
   * Like {@link send}, but resolves as soon as the headers arrive, with the body unread: for event
   * streams. The timeout covers the wait for the headers only.
   */
  async open(request: HttpRequest): Promise<Response> {
    let mayRetry = true;
    if (this.#tokenFactory !== undefined && (request.freshToken === true || this.#token === undefined)) {
      // A token that was just issued will not get better by asking again.
      mayRetry = false;
      this.#token = await this.#tokenFactory();
    }
    const response = await this.#fetch(request);
    if (response.status !== 401 || !mayRetry || this.#tokenFactory === undefined) return response;
    await response.body?.cancel();
    this.#token = await this.#tokenFactory();
    return this.#fetch(request);
  }

  async #fetch(request: HttpRequest): Promise<Response> {
    const headers: Record<string, string> = { 'X-Requested-With': 'XMLHttpRequest', ...this.#options.headers, ...request.headers };
    if (this.#token) headers['Authorization'] = `Bearer ${this.#token}`;
    if (request.contentType !== undefined) headers['Content-Type'] = request.contentType;
    const timeoutMs = request.timeoutMs ?? this.#options.requestTimeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = timeoutMs > 0 ? setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs) : undefined;
    const parent = request.signal;
    const onAbort = (): void => controller.abort(parent?.reason);
    if (parent?.aborted === true) onAbort();
    parent?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.#options.fetch(request.url, {
        method: request.method,
        headers,
        body: request.body,
        credentials: this.#options.withCredentials ? 'include' : 'same-origin',
        signal: controller.signal,
      });
    } catch (error) {
      if (timedOut) throw new ClientError(ClientErrorCode.RequestTimeout, 'A timeout occurred.', { cause: error });
      if (parent?.aborted === true) throw parent.reason;
      throw error;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
    }
  }

  async #read(response: Response, request: HttpRequest): Promise<HttpResponse> {
    const { status, statusText } = response;
    const body = response.ok && request.responseType === 'bytes'
      ? new Uint8Array(await response.arrayBuffer())
      : await response.text();
    return { status, statusText, body };
  }
}

/** The official client's text for a failed request: `<body or status text>: Status code '<n>'`. */
export function httpStatusError(response: HttpResponse): ClientError {
  const text = typeof response.body === 'string' && response.body !== '' ? response.body : response.statusText;
  return new ClientError(ClientErrorCode.HttpStatus, `${text}: Status code '${response.status}'`, {
    statusCode: response.status,
  });
}
