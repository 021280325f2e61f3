import type http from 'node:http';
import http2 from 'node:http2';

/**
 * Once a response is complete, reads and discards what is left of its request
 * body, up to `maxBytes` (past that the request is destroyed).
 *
 * A call can end before its request is read to the end: an error on the first
 * message (`resource_exhausted` for one over the size limit) or a handler
 * that answers early. connect-node then stops reading mid-body. Node drains
 * unread HTTP/1.1 bodies only when nobody has read from them, and HTTP/2
 * bodies never, so the client's remaining bytes get no room: on HTTP/2 the
 * stream's flow-control window stays full and the client's upload (and with it
 * the call) hangs; on HTTP/1.1 the connection stalls behind the unread bytes
 * until a timeout resets it, often before the client has read the response. Draining is what HTTP/1.1 does for unread bodies, and what
 * RFC 9113 §8.1 allows: the complete response is already sent.
 */
export function drainAfterResponse(
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
  maxBytes: number,
): void {
  // connect-node reads the body with `for await`, and leaving that loop early
  // destroys the request by default: on HTTP/1.1 that destroys the socket, so
  // the client, still sending, gets a reset instead of the error response.
  Object.defineProperty(req, Symbol.asyncIterator, {
    configurable: true,
    value: () => req.iterator({ destroyOnReturn: false }),
  });
  // HTTP/2's compat response emits 'finish' only when the whole stream closes,
  // which is what never happens here; its stream's 'finish' is the sent response.
  const sent = 'stream' in res ? res.stream : res;
  sent.once('finish', () => {
    if (req.readableEnded || req.destroyed) return;
    let drained = 0;
    const discard = () => {
      // An abandoned body iterator may still listen for 'readable', which
      // keeps the request out of flowing mode: read() it empty, not resume().
      for (;;) {
        const chunk = req.read() as Buffer | null;
        if (chunk === null) return;
        drained += chunk.length;
        if (drained > maxBytes) {
          req.off('readable', discard);
          // HTTP/2: reset this stream only (the compat request's destroy
          // leaves the stream open); HTTP/1.1: close the connection.
          if ('stream' in req) req.stream.close(http2.constants.NGHTTP2_CANCEL);
          else req.destroy();
          return;
        }
      }
    };
    req.on('readable', discard);
    discard();
  });
}
