import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findVersitygwBinary, startVersitygw } from '@ameide/launch';

/** Where an S3-compatible server is and the account tests use on it. */
export interface S3ServerInfo {
  /** `http://host:port`; buckets are addressed path-style. */
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Options of {@link startS3Server}. */
export interface S3ServerOptions {
  /** Path of the versitygw binary. Default: see `findVersitygwBinary` (`AMEIDE_VERSITYGW_BIN`, PATH, build cache). */
  readonly binary?: string;
  /** How long to wait for the server to accept connections. Default 15 s. */
  readonly startTimeoutMs?: number;
}

/** A running throw-away versitygw (posix backend in a temporary directory). */
export interface S3Server extends S3ServerInfo {
  /** The posix backend's directory: one sub-directory per bucket, one file per object. */
  readonly dataDir: string;
  /** Stops the server and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts versitygw for tests: posix backend in a fresh temporary directory, a random root
 * account, listening on 127.0.0.1 only.
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const binary = findVersitygwBinary(
    options.binary === undefined ? {} : { binary: options.binary },
  );
  const dataDir = await mkdtemp(join(tmpdir(), 'ameide-s3-'));
  try {
    const server = await startVersitygw({
      binary,
      dataDir,
      ...(options.startTimeoutMs !== undefined ? { startTimeoutMs: options.startTimeoutMs } : {}),
    });
    // A test run that dies without teardown must not leave the directory behind.
    const onExit = (): void => rmSync(dataDir, { recursive: true, force: true });
    process.once('exit', onExit);
    let stopped: Promise<void> | undefined;
    return {
      endpoint: server.endpoint,
      region: server.region,
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
      dataDir,
      stop: () => {
        stopped ??= (async () => {
          process.off('exit', onExit);
          await server.stop();
          await rm(dataDir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
