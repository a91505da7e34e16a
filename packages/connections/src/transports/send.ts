/**
 * The HTTP send half of Server-Sent Events and long polling: `POST {path}?id=<token>` with the payload
 * as body (many records at once, as the client batches). The whole body is read (up to
 * `maxRequestBodyBytes`), handed to the connection as one chunk, and answered 200 with an empty body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConnectionsError, ConnectionsErrorCode } from '../errors.js';
import type { HttpConnection } from '../http-connection.js';
import { respondText } from '../http-responses.js';

/** Reads the body of a POST and delivers it to `connection` (already looked up and checked). */
export function receiveSend(connection: HttpConnection, req: IncomingMessage, res: ServerResponse, maxBytes: number): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    refuseTooLarge(connection, req, res, maxBytes);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > maxBytes) {
      refused = true;
      chunks.length = 0;
      refuseTooLarge(connection, req, res, maxBytes);
      return;
    }
    chunks.push(chunk);
  });
  req.once('end', () => {
    if (refused) return;
    if (connection.isEnded) {
      // The .NET server answers 404 when the connection was disposed during the write.
      respondText(res, 404);
      return;
    }
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    if (size === 0) respondText(res, 200);
    else connection.receivePost(body, res);
  });
  req.once('error', () => {
    // The client aborted the upload: nothing was delivered.
    if (!refused) respondText(res, 400);
  });
}

function refuseTooLarge(connection: HttpConnection, req: IncomingMessage, res: ServerResponse, maxBytes: number): void {
  // Closing the HTTP connection spares reading the rest of an oversized body.
  res.setHeader('Connection', 'close');
  respondText(res, 413, `The request body exceeds the limit of ${maxBytes} bytes.`);
  req.resume();
  // Dropping part of the client's stream would corrupt it: the connection ends, as a WebSocket would (1009).
  connection.abort(new ConnectionsError(ConnectionsErrorCode.MessageTooLarge,
    `A POST body exceeded maxRequestBodyBytes (${maxBytes} bytes).`));
}
