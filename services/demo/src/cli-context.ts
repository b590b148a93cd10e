import { loadConfig, saveConfig, upsertContext, configPath } from '../../cli/src/config/contexts.js';
import { tokenRequests } from '../../cli/src/commands/token.js';
import type { HubClient } from '../../cli/src/http/client.js';
import { TENANT } from './onboard.js';

export const CONTEXT = 'demo';
const TOKEN_NAME = 'demo-cli';

/**
 * Logs the CLI in as the demo's admin: an API token (a login JWT would expire within minutes)
 * saved as context `demo`, made current, with team-a as the default tenant — so
 * `npx flotilla status` works at once from another terminal.
 */
export async function writeCliContext(client: HubClient): Promise<string> {
  const token = await client.send<{ secret: string }>(
    tokenRequests.create(TOKEN_NAME, { role: 'platform-admin', expiresIn: '30d' }),
  );
  const path = configPath();
  const config = await loadConfig(path);
  await saveConfig(
    upsertContext(config, {
      name: CONTEXT,
      server: client.server,
      token: token.secret,
      tokenKind: 'api',
      user: `token:${TOKEN_NAME}`,
      tenant: TENANT,
    }),
    path,
  );
  return path;
}
