import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findKeycloakHome, startKeycloak, type Keycloak } from '@ameide/launch';

const ensureScript = fileURLToPath(
  new URL('../../../../scripts/ensure-keycloak.mjs', import.meta.url),
);

/**
 * The embedded mode's Keycloak (`ameide dev --keycloak`): the distribution from the cache,
 * fetched from Maven Central on first use (`scripts/ensure-keycloak.mjs`, about a minute),
 * its data in `<home>/keycloak` and its bootstrap admin's password in
 * `<home>/keycloak-admin.json` (mode 0600), kept across restarts.
 */
export async function startDevKeycloak(options: {
  home: string;
  port: number;
  signal?: AbortSignal;
}): Promise<Keycloak> {
  let distribution: string;
  try {
    distribution = findKeycloakHome();
  } catch (notFound) {
    if (process.env['AMEIDE_KEYCLOAK_HOME'] || !existsSync(ensureScript)) throw notFound;
    const ensure = (await import(pathToFileURL(ensureScript).href)) as {
      ensureKeycloak(): string;
    };
    distribution = ensure.ensureKeycloak();
  }
  const file = join(options.home, 'keycloak-admin.json');
  let admin: { username: string; password: string };
  try {
    admin = JSON.parse(await readFile(file, 'utf8')) as typeof admin;
  } catch {
    admin = { username: 'admin', password: randomBytes(18).toString('base64url') };
    await mkdir(options.home, { recursive: true });
    await writeFile(file, JSON.stringify(admin), { mode: 0o600 });
  }
  return startKeycloak({
    home: distribution,
    dataDir: join(options.home, 'keycloak'),
    port: options.port,
    admin,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
