/**
 * The streams one connection has open: client-to-server uploads (keyed by the client's stream id) and
 * server-to-client streams (keyed by invocation id, so CancelInvocation finds them). Both maps are
 * created on first use: most connections never stream.
 */
import { HubError, HubErrorCode } from './errors.js';
import { UPLOAD_ABORTED } from './error-messages.js';
import type { ServerStream } from './invocation.js';
import { UploadStream, type InboundFlowControl } from './upload-stream.js';

export class SessionStreams {
  readonly #flow: InboundFlowControl;
  readonly #capacity: number;
  #uploads: Map<string, UploadStream> | undefined;
  #streams: Map<string, ServerStream> | undefined;

  constructor(flow: InboundFlowControl, uploadCapacity: number) {
    this.#flow = flow;
    this.#capacity = uploadCapacity;
  }

  openUploads(streamIds: readonly string[]): UploadStream[] {
    const uploads = (this.#uploads ??= new Map());
    const streams: UploadStream[] = [];
    for (const id of streamIds) {
      const stream = new UploadStream(id, this.#capacity, this.#flow);
      uploads.set(id, stream);
      streams.push(stream);
    }
    return streams;
  }

  upload(streamId: string): UploadStream | undefined {
    return this.#uploads?.get(streamId);
  }

  /** The client completed the stream: later items with its id are unknown; buffered ones stay readable. */
  forgetUpload(stream: UploadStream): void {
    if (this.#uploads?.get(stream.streamId) === stream) this.#uploads.delete(stream.streamId);
  }

  /** The invocation ended: drop what it did not read. */
  closeUpload(stream: UploadStream): void {
    this.forgetUpload(stream);
    stream.dispose();
  }

  /** False when a stream with this invocation id is already running. */
  addServerStream(invocationId: string, stream: ServerStream): boolean {
    const streams = (this.#streams ??= new Map());
    if (streams.has(invocationId)) return false;
    streams.set(invocationId, stream);
    return true;
  }

  serverStream(invocationId: string): ServerStream | undefined {
    return this.#streams?.get(invocationId);
  }

  removeServerStream(invocationId: string, stream: ServerStream): void {
    if (this.#streams?.get(invocationId) === stream) this.#streams.delete(invocationId);
  }

  /** The connection ended: cancel every server stream, fail every upload still being read. */
  abortAll(): void {
    if (this.#streams !== undefined) for (const stream of this.#streams.values()) stream.cancel();
    if (this.#uploads !== undefined) {
      const aborted = new HubError(HubErrorCode.StreamAborted, UPLOAD_ABORTED, 'OperationCanceledException');
      for (const upload of this.#uploads.values()) upload.end(aborted);
    }
  }
}
