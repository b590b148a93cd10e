import { bindingBody, bindingRequests } from '../../cli/src/commands/binding.js';
import { grantBody, grantRequests } from '../../cli/src/commands/grant.js';
import { repoBody, repoRequests } from '../../cli/src/commands/repo.js';
import { tenantRequests } from '../../cli/src/commands/tenant.js';
import type { HubClient } from '../../cli/src/http/client.js';
import { DemoError } from './errors.js';
import { APP_NAMESPACE, ENVIRONMENTS } from './sample-app.js';

export const TENANT = 'team-a';
export const REPOSITORY = 'demo-app';
/** The demo polls its Git server often so a pushed commit shows up within seconds. */
const POLL_INTERVAL = '10s';

export const bindingName = (env: string) => `web-${env}`;

interface CreatedBinding {
  name: string;
  status: string | null;
  checks: unknown;
}

/**
 * What a platform team and a tenant team do on day one, through the same requests as the CLI:
 * onboard `team-a`, grant it `team-a-*` namespaces on every cluster, add its repository and bind
 * each overlay to the clusters of its environment.
 */
export async function onboardTenant(client: HubClient, repoUrl: string): Promise<string[]> {
  await client.send(tenantRequests.create(TENANT, { displayName: 'Team A' }));
  await client.send(grantRequests.create(TENANT, grantBody('all-clusters', {}, { namespaces: 'team-a-*' })));
  await client.send(
    repoRequests.create(
      TENANT,
      repoBody(REPOSITORY, {}, { url: repoUrl, pollInterval: POLL_INTERVAL }, null, []),
    ),
  );
  const names: string[] = [];
  for (const env of ENVIRONMENTS) {
    const body = bindingBody(
      bindingName(env),
      {},
      { repo: REPOSITORY, path: `overlays/${env}`, selector: `env=${env}`, namespace: APP_NAMESPACE },
    );
    const created = await client.send<CreatedBinding>(bindingRequests.create(TENANT, body));
    if (created.status !== 'passed') {
      throw new DemoError(
        `binding ${created.name} was not published (${created.status}): ${JSON.stringify(created.checks)}`,
      );
    }
    names.push(created.name);
  }
  return names;
}
