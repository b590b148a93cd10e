import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SecretBox } from './secret-box.js';

export interface EncryptionKeySource {
  /** FLOTILLA_ENCRYPTION_KEYS: comma-separated base64 keys, current first. */
  configured?: string;
  dataDir: string;
  warn: (message: string) => void;
}

/**
 * The SecretBox for secrets at rest. Production sets FLOTILLA_ENCRYPTION_KEYS; otherwise a key
 * is generated once into `<dataDir>/encryption.key` (mode 600) so a fresh machine just starts.
 */
export async function loadSecretBox(source: EncryptionKeySource): Promise<SecretBox> {
  if (source.configured) {
    return new SecretBox(
      source.configured
        .split(',')
        .map((key) => key.trim())
        .filter(Boolean),
    );
  }
  const file = join(source.dataDir, 'encryption.key');
  let key: string;
  try {
    key = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    key = SecretBox.generateKey();
    await mkdir(source.dataDir, { recursive: true, mode: 0o700 });
    // `wx`: two hubs starting together never overwrite each other's key.
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch(async (writeError: unknown) => {
      if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
      key = (await readFile(file, 'utf8')).trim();
    });
  }
  await chmod(file, 0o600);
  source.warn(
    `FLOTILLA_ENCRYPTION_KEYS is not set: secrets at rest are encrypted with the key in ${file}. ` +
      'Production must set FLOTILLA_ENCRYPTION_KEYS (and keep that key: without it the data cannot be read).',
  );
  return new SecretBox([key]);
}
