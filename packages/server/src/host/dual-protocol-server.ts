import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { Duplex } from 'node:stream';

type Handler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

/** One TCP listener that speaks HTTP/1.1 and HTTP/2 with prior knowledge (h2c). */
export interface DualProtocolServer {
  readonly tcp: net.Server;
  readonly h1: http.Server;
  readonly h2: http2.Http2Server;
}

/**
 * Node 20's plaintext HTTP/2 server cannot fall back to HTTP/1.1
 * (`allowHTTP1` only exists for TLS), so the host sniffs the first bytes of
 * each connection: the HTTP/2 connection preface starts with `PRI `, which no
 * HTTP/1.1 method does. gRPC needs h2c; Connect and gRPC-Web clients in
 * browsers speak HTTP/1.1.
 */
export function createDualProtocolServer(handler: Handler): DualProtocolServer {
  const h1 = http.createServer(handler);
  const h2 = http2.createServer(handler);
  const tcp = net.createServer((socket) => {
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      const isH2 = chunk.length >= 3 && chunk.subarray(0, 3).toString('latin1') === 'PRI';
      if (isH2) {
        h2.emit('connection', replayingStream(socket, chunk));
      } else {
        socket.unshift(chunk);
        h1.emit('connection', socket);
        socket.resume();
      }
    });
  });
  return { tcp, h1, h2 };
}

/**
 * The HTTP/2 session reads from a net.Socket's native handle, so bytes
 * already read (and `unshift`ed) would be lost. A JS Duplex that replays the
 * sniffed chunk and then forwards the socket makes http2 use its JS-stream
 * path, which sees every byte.
 */
function replayingStream(socket: net.Socket, first: Buffer): Duplex {
  const duplex = new Duplex({
    read() {
      socket.resume();
    },
    // Acknowledge a write as soon as the socket has taken it, not once it has
    // reached the kernel: http2 sends its next frames only after the previous
    // write is acknowledged, so waiting put a response's HEADERS and DATA an
    // event-loop turn or more apart on the wire, and a client whose deadline
    // fell in between saw headers without the error body. Backpressure still
    // holds: a full socket acknowledges on 'drain'.
    write(chunk: Buffer, _enc, cb) {
      if (socket.write(chunk)) cb();
      else socket.once('drain', () => cb());
    },
    writev(chunks, cb) {
      socket.cork();
      let ok = true;
      for (const { chunk } of chunks) ok = socket.write(chunk as Buffer);
      socket.uncork();
      if (ok) cb();
      else socket.once('drain', () => cb());
    },
    final(cb) {
      socket.end(cb);
    },
    destroy(err, cb) {
      socket.destroy(err ?? undefined);
      cb(err);
    },
  });
  duplex.push(first);
  socket.on('data', (data: Buffer) => {
    if (!duplex.push(data)) socket.pause();
  });
  socket.on('end', () => duplex.push(null));
  socket.on('error', (err) => duplex.destroy(err));
  socket.on('close', () => duplex.destroy());
  return duplex;
}
