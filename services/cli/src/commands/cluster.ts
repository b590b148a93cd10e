import type { Command } from 'commander';
import { formatLabels, parseLabelChanges, parseLabels } from '../args/labels.js';
import { api, del, get, patch, post } from '../http/request.js';
import { writePrivateFile } from '../io/files.js';
import type { Column } from '../output/table.js';
import { examples } from './help.js';
import { withSession } from './session.js';

interface Cluster {
  name: string;
  tenant: string | null;
  labels: Record<string, string>;
  state: string;
  agentVersion: string | null;
  kubernetesVersion: string | null;
  nodeCount: number | null;
  lastSeenAt: string | null;
}

interface Registration {
  registrationToken?: string;
  registrationTokenExpiresAt?: string;
  installCommand: string;
}

/**
 * The one-time registration token is not printed: it reaches the cluster inside install.yaml
 * (`install-yaml`, `--output-file`), so it never lands in terminal scrollback or CI logs.
 */
const withoutToken = ({ registrationToken: _secret, ...rest }: Registration) => rest;

const columns: Column<Cluster>[] = [
  { header: 'name', value: (c) => c.name },
  { header: 'tenant', value: (c) => c.tenant ?? '(shared)' },
  { header: 'state', value: (c) => c.state, state: true },
  { header: 'labels', value: (c) => formatLabels(c.labels) },
  { header: 'agent', value: (c) => c.agentVersion },
  { header: 'kubernetes', value: (c) => c.kubernetesVersion },
  { header: 'nodes', value: (c) => c.nodeCount },
  { header: 'last seen', value: (c) => c.lastSeenAt },
];

/** `label` edits: set and remove on top of the current labels (the API replaces them whole). */
export function relabel(current: Record<string, string>, changes: string[]): Record<string, string> {
  const { set, remove } = parseLabelChanges(changes);
  const next = { ...current, ...set };
  for (const key of remove) delete next[key];
  return next;
}

export const clusterRequests = {
  list: (flags: { tenant?: string; selector?: string }) =>
    get(api`/clusters`, { tenant: flags.tenant, labelSelector: flags.selector }),
  get: (name: string) => get(api`/clusters/${name}`),
  add: (name: string, flags: { labels?: string; tenant?: string }) =>
    post(api`/clusters`, { name, labels: parseLabels(flags.labels ?? ''), tenant: flags.tenant ?? null }),
  setLabels: (name: string, labels: Record<string, string>) => patch(api`/clusters/${name}`, { labels }),
  delete: (name: string) => del(api`/clusters/${name}`),
  installYaml: (name: string) => get(api`/clusters/${name}/install.yaml`),
  rotateCredentials: (name: string) => post(api`/clusters/${name}/rotate-credentials`),
};

export function registerCluster(program: Command): void {
  const cluster = examples(
    program.command('cluster').description('register clusters and install their agents'),
    'flotilla cluster list',
  );

  examples(
    cluster
      .command('list')
      .alias('ls')
      .description('list clusters')
      .option('-t, --tenant <slug>', 'clusters of this tenant only')
      .option('-l, --selector <selector>', 'label selector, like env=prod,tier in (a,b)')
      .action(
        withSession(async (s, flags: { tenant?: string; selector?: string }) =>
          s.printer.list(await s.client().all<Cluster>(clusterRequests.list(flags)), columns),
        ),
      ),
    'flotilla cluster list -l env=prod',
  );

  examples(
    cluster
      .command('get')
      .argument('<name>')
      .description('show one cluster')
      .action(
        withSession(async (s, name: string) =>
          s.printer.one(await s.client().send<Cluster>(clusterRequests.get(name)), columns),
        ),
      ),
    'flotilla cluster get edge-1 -o yaml',
  );

  examples(
    cluster
      .command('add')
      .argument('<name>')
      .description('register a cluster; prints the agent install command (or writes install.yaml)')
      .option('--labels <labels>', 'like env=prod,region=eu')
      .option('-t, --tenant <slug>', 'dedicate the cluster to this tenant (default: shared)')
      .option('--output-file <file>', 'write the agent manifests here instead of printing the command')
      .action(
        withSession(
          async (s, name: string, flags: { labels?: string; tenant?: string; outputFile?: string }) => {
            const client = s.client();
            const registration = await client.send<Registration>(clusterRequests.add(name, flags));
            if (flags.outputFile) {
              // Each download carries a fresh one-time token, so the file is the thing to apply.
              await writePrivateFile(flags.outputFile, await client.text(clusterRequests.installYaml(name)));
              return s.printer.note(
                `Cluster ${name} registered. Install the agent with:\n  kubectl apply -f ${flags.outputFile}`,
              );
            }
            if (s.printer.format !== 'table') return s.printer.data(withoutToken(registration));
            s.printer.line(
              `Cluster ${name} registered. Install the agent in it with (FLOTILLA_TOKEN = a token allowed to write clusters):`,
            );
            s.printer.line(`  ${registration.installCommand}`);
          },
        ),
      ),
    'flotilla cluster add edge-1 --labels env=prod,region=eu',
    'flotilla cluster add edge-2 --tenant team-a --output-file install.yaml && kubectl apply -f install.yaml',
  );

  examples(
    cluster
      .command('label')
      .argument('<name>')
      .argument('<changes...>', 'key=value to set, key- to remove')
      .description('set or remove labels')
      .action(
        withSession(async (s, name: string, changes: string[]) => {
          const client = s.client();
          const current = await client.send<Cluster>(clusterRequests.get(name));
          await s.printer.one(
            await client.send<Cluster>(clusterRequests.setLabels(name, relabel(current.labels, changes))),
            columns,
          );
        }),
      ),
    'flotilla cluster label edge-1 env=staging legacy-',
  );

  examples(
    cluster
      .command('delete')
      .argument('<name>')
      .description('delete a cluster; its agent credential is revoked at once')
      .action(
        withSession(async (s, name: string) => {
          await s.client().send(clusterRequests.delete(name));
          s.printer.note(`Cluster ${name} deleted.`);
        }),
      ),
    'flotilla cluster delete edge-1',
  );

  examples(
    cluster
      .command('install-yaml')
      .argument('<name>')
      .description('the agent manifests, with a fresh one-time registration token')
      .option('--output-file <file>', 'write to this file (mode 600) instead of stdout')
      .action(
        withSession(async (s, name: string, flags: { outputFile?: string }) => {
          const yaml = await s.client().text(clusterRequests.installYaml(name));
          if (flags.outputFile) await writePrivateFile(flags.outputFile, yaml);
          else s.printer.line(yaml);
        }),
      ),
    'flotilla cluster install-yaml edge-1 | kubectl apply -f -',
  );

  examples(
    cluster
      .command('rotate-credentials')
      .argument('<name>')
      .description('revoke the agent credential and issue a registration token to re-register with')
      .action(
        withSession(async (s, name: string) => {
          const answer = await s.client().send<Registration>(clusterRequests.rotateCredentials(name));
          await s.printer.value(
            answer,
            () => `Credentials of ${name} revoked. Re-install the agent with:\n  ${answer.installCommand}`,
          );
        }),
      ),
    'flotilla cluster rotate-credentials edge-1',
  );
}
