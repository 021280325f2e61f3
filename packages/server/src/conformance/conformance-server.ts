// The server under test for the Connect conformance runner (server mode): the
// runner starts this script, writes a size-prefixed ServerCompatRequest on
// stdin, reads a size-prefixed ServerCompatResponse (host, port) from stdout,
// then sends its test calls, and stops the server with SIGTERM.
//
// The calls reach the ConformanceService through the product's own service
// host: the dual-protocol listener and the full interceptor chain. The only
// difference from production is that calls without a token are let in with
// fixed claims (the runner's reference client cannot sign in).
import { readFileSync } from 'node:fs';
import { fromBinary, toBinary, create } from '@bufbuild/protobuf';
import { AmeideError, ErrorCode } from '@ameide/errors';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { startServiceHost } from '../host/service-host.js';
import { createLogger } from '../logging/logger.js';
import { conformanceRegistry, registerConformanceService } from './conformance-service.js';
import { HTTPVersion } from './gen/connectrpc/conformance/v1/config_pb.js';
import {
  ServerCompatRequestSchema,
  ServerCompatResponseSchema,
} from './gen/connectrpc/conformance/v1/server_compat_pb.js';

/** The suite sends no tokens; one that arrives anyway is refused like a bad one. */
const noTokens: TokenVerifier = {
  verify: () =>
    Promise.reject(
      new AmeideError(ErrorCode.Unauthenticated, 'the conformance server accepts no tokens', {
        reason: 'TOKEN_NOT_ACCEPTED',
        domain: 'ameide.auth',
      }),
    ),
};

const input = readFileSync(process.stdin.fd);
const size = input.readUInt32BE(0);
const request = fromBinary(ServerCompatRequestSchema, input.subarray(4, 4 + size));
if (request.useTls) throw new Error('conformance server: TLS is not supported (features say so)');
if (request.httpVersion === HTTPVersion.HTTP_VERSION_3)
  throw new Error('conformance server: HTTP/3 is not supported');

const host = await startServiceHost({
  port: 0,
  hostname: '127.0.0.1',
  verifier: noTokens,
  authentication: { anonymousClaims: { sub: 'conformance', tenantId: 'conformance' } },
  // stdout carries the ServerCompatResponse and nothing else; the runner shows
  // stderr lines next to its results, so only warnings and errors go there.
  logger: createLogger({
    primitive: { type: 'platform', name: 'conformance' },
    level: process.env['AMEIDE_LOG_LEVEL'] ?? 'warn',
    destination: process.stderr,
  }),
  platformService: false,
  services: [registerConformanceService],
  jsonRegistry: conformanceRegistry,
  ...(request.messageReceiveLimit > 0 ? { readMaxBytes: request.messageReceiveLimit } : {}),
  drainTimeoutMs: 1_000,
});

const response = toBinary(
  ServerCompatResponseSchema,
  create(ServerCompatResponseSchema, { host: '127.0.0.1', port: host.port }),
);
const prefix = Buffer.alloc(4);
prefix.writeUInt32BE(response.byteLength);
process.stdout.write(Buffer.concat([prefix, response]));

process.once('SIGTERM', () => {
  void host.close().then(() => process.exit(0));
});
