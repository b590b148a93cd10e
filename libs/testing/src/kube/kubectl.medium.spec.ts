/**
 * Fidelity of the Kubernetes API test server, proven with the real kubectl.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kubectl } from './kubectl.js';
import { KubeTestServer } from './server.js';

const manifests = (opts: { size?: boolean; env?: boolean } = {}) => `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
  labels: {app: web, tier: frontend}
data:
  color: blue
${opts.size === false ? '' : '  size: large'}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
${opts.env === false ? '' : '        env:\n        - {name: MODE, value: fast}'}
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: shop
  labels: {app: db}
stringData:
  password: hunter2
`;

const crd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
`;

describe('kubectl against the test server (HTTP)', () => {
  let server: KubeTestServer;
  let kubectl: Kubectl;
  let dir: string;

  beforeAll(async () => {
    server = await KubeTestServer.start({ simulateControllers: { availabilityDelayMs: 1000 } });
    kubectl = await Kubectl.create(server.kubeconfig());
    dir = await mkdtemp(join(tmpdir(), 'kube-manifests-'));
  });
  afterAll(async () => {
    await kubectl?.cleanup();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers kubectl version and api-resources with short names and scopes', async () => {
    expect(await kubectl.ok(['version', '-o', 'json'])).toContain('"gitVersion": "v1.32.4"');
    const resources = await kubectl.ok(['api-resources', '--no-headers']);
    expect(resources).toMatch(/^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m);
    expect(resources).toMatch(
      /^customresourcedefinitions\s+crd,crds\s+apiextensions.k8s.io\/v1\s+false\s+CustomResourceDefinition$/m,
    );
    expect(resources).toMatch(
      /^clusterrolebindings\s+rbac.authorization.k8s.io\/v1\s+false\s+ClusterRoleBinding$/m,
    );
  });

  it('applies a multi-document file server-side, then removes a field dropped from it', async () => {
    const file = join(dir, 'app.yaml');
    await writeFile(file, manifests());
    const out = await kubectl.ok(['apply', '--server-side', '-f', file]);
    expect(out.trim().split('\n')).toEqual([
      'namespace/shop serverside-applied',
      'configmap/settings serverside-applied',
      'deployment.apps/web serverside-applied',
      'secret/creds serverside-applied',
    ]);
    const cm = JSON.parse(
      await kubectl.ok(['get', 'cm', 'settings', '-n', 'shop', '-o', 'json', '--show-managed-fields']),
    );
    expect(cm.data).toEqual({ color: 'blue', size: 'large' });
    expect(cm.metadata.managedFields).toEqual([
      expect.objectContaining({
        manager: 'kubectl',
        operation: 'Apply',
        fieldsV1: {
          'f:data': { 'f:color': {}, 'f:size': {} },
          'f:metadata': { 'f:labels': { 'f:app': {}, 'f:tier': {} } },
        },
      }),
    ]);
    const secret = JSON.parse(await kubectl.ok(['get', 'secret', 'creds', '-n', 'shop', '-o', 'json']));
    expect(Buffer.from(secret.data.password, 'base64').toString()).toBe('hunter2');

    await writeFile(file, manifests({ size: false, env: false }));
    await kubectl.ok(['apply', '--server-side', '-f', file]);
    const after = JSON.parse(await kubectl.ok(['get', 'cm', 'settings', '-n', 'shop', '-o', 'json']));
    expect(after.data).toEqual({ color: 'blue' });
    const deploy = JSON.parse(await kubectl.ok(['get', 'deploy', 'web', '-n', 'shop', '-o', 'json']));
    expect(deploy.spec.template.spec.containers).toEqual([{ name: 'nginx', image: 'nginx:1.27' }]);
    expect(deploy.metadata.generation).toBe(2);
  });

  it('reports conflicts with another field manager and takes over with --force-conflicts', async () => {
    const file = join(dir, 'other.yaml');
    await writeFile(
      file,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {color: red}\n',
    );
    const conflict = await kubectl.run(['apply', '--server-side', '--field-manager', 'other', '-f', file]);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl": .data.color');
    await kubectl.ok(['apply', '--server-side', '--field-manager', 'other', '--force-conflicts', '-f', file]);
    const cm = JSON.parse(
      await kubectl.ok(['get', 'cm', 'settings', '-n', 'shop', '-o', 'json', '--show-managed-fields']),
    );
    expect(cm.data.color).toBe('red');
    expect(cm.metadata.managedFields.map((m: { manager: string }) => m.manager).sort()).toEqual([
      'kubectl',
      'other',
    ]);
  });

  it('selects by label with get -o json', async () => {
    const web = JSON.parse(
      await kubectl.ok(['get', 'cm,deploy,secret', '-A', '-l', 'app=web', '-o', 'json']),
    );
    expect(
      web.items.map((o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`),
    ).toEqual(['ConfigMap/settings', 'Deployment/web']);
    const notWeb = JSON.parse(
      await kubectl.ok(['get', 'secrets', '-n', 'shop', '-l', 'app!=web,app', '-o', 'json']),
    );
    expect(notWeb.items.map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual(['creds']);
    const table = await kubectl.ok(['get', 'cm', '-n', 'shop', '-l', 'tier in (frontend)']);
    expect(table).toMatch(/^NAME\s+DATA\s+AGE\nsettings\s+1\s+\d+s\n$/);
  });

  it('diffs server-side without persisting the dry run', async () => {
    const file = join(dir, 'diff.yaml');
    await writeFile(
      file,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop, labels: {app: web, tier: frontend}}\ndata: {color: blue, size: small}\n',
    );
    const before = JSON.parse(await kubectl.ok(['get', 'cm', 'settings', '-n', 'shop', '-o', 'json']));
    const diff = await kubectl.run(['diff', '--server-side', '--force-conflicts', '-f', file]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('+  size: small');
    const after = JSON.parse(await kubectl.ok(['get', 'cm', 'settings', '-n', 'shop', '-o', 'json']));
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    const same = join(dir, 'same.yaml');
    await writeFile(
      same,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop, labels: {app: web, tier: frontend}}\ndata: {color: red}\n',
    );
    const none = await kubectl.run(['diff', '--server-side', '--field-manager', 'other', '-f', same]);
    expect(none).toMatchObject({ code: 0, stdout: '' });
  });

  it('applies a kustomize directory client-side, with strategic merge patches on re-apply', async () => {
    const k = join(dir, 'kust');
    await mkdir(k, { recursive: true });
    await writeFile(
      join(k, 'kustomization.yaml'),
      'namespace: kdemo\nresources: [ns.yaml, cm.yaml, deploy.yaml]\nlabels:\n- pairs: {team: a}\n',
    );
    await writeFile(join(k, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: kdemo}\n');
    await writeFile(
      join(k, 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kcm}\ndata: {a: "1", b: "2"}\n',
    );
    const deploy = (image: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: kweb}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: kweb}}\n  template:\n    metadata: {labels: {app: kweb}}\n    spec:\n      containers:\n      - {name: app, image: nginx}\n      - {name: sidecar, image: ${image}}\n`;
    await writeFile(join(k, 'deploy.yaml'), deploy('busybox:1'));
    expect(await kubectl.ok(['apply', '-k', k])).toContain('deployment.apps/kweb created');
    await writeFile(
      join(k, 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kcm}\ndata: {a: "1"}\n',
    );
    await writeFile(join(k, 'deploy.yaml'), deploy('busybox:2'));
    const out = await kubectl.ok(['apply', '-k', k]);
    expect(out).toContain('configmap/kcm configured');
    expect(JSON.parse(await kubectl.ok(['get', 'cm', 'kcm', '-n', 'kdemo', '-o', 'json'])).data).toEqual({
      a: '1',
    });
    const d = JSON.parse(await kubectl.ok(['get', 'deploy', 'kweb', '-n', 'kdemo', '-o', 'json']));
    expect(d.spec.template.spec.containers.map((c: { image: string }) => c.image)).toEqual([
      'nginx',
      'busybox:2',
    ]);
    expect(d.metadata.labels).toEqual({ team: 'a' });
  });

  it('migrates a client-side applied object to server-side apply', async () => {
    const file = join(dir, 'csa.yaml');
    await writeFile(
      file,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: csa, namespace: kdemo}\ndata: {a: "1", b: "2"}\n',
    );
    await kubectl.ok(['apply', '-f', file]);
    await kubectl.ok(['apply', '--server-side', '-f', file]);
    await writeFile(
      file,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: csa, namespace: kdemo}\ndata: {a: "1"}\n',
    );
    await kubectl.ok(['apply', '--server-side', '-f', file]);
    const cm = JSON.parse(
      await kubectl.ok(['get', 'cm', 'csa', '-n', 'kdemo', '-o', 'json', '--show-managed-fields']),
    );
    expect(cm.data).toEqual({ a: '1' });
    expect(cm.metadata.managedFields.map((m: { manager: string }) => m.manager)).not.toContain(
      'kubectl-client-side-apply',
    );
  });

  it('creates, scales, patches and labels with imperative commands (protobuf bodies included)', async () => {
    await kubectl.ok(['create', 'namespace', 'imperative']);
    await kubectl.ok(['create', 'configmap', 'c1', '-n', 'imperative', '--from-literal=k=v']);
    await kubectl.ok(['create', 'deployment', 'd1', '-n', 'imperative', '--image=nginx', '--replicas=1']);
    await kubectl.ok(['scale', 'deployment', 'd1', '-n', 'imperative', '--replicas=3']);
    await kubectl.ok(['label', 'cm', 'c1', '-n', 'imperative', 'color=green']);
    await kubectl.ok([
      'patch',
      'cm',
      'c1',
      '-n',
      'imperative',
      '--type=json',
      '-p',
      '[{"op":"add","path":"/data/j","value":"1"}]',
    ]);
    await kubectl.ok(['patch', 'cm', 'c1', '-n', 'imperative', '--type=merge', '-p', '{"data":{"k":null}}']);
    await kubectl.ok(['set', 'image', 'deployment/d1', '-n', 'imperative', 'nginx=nginx:2']);
    const cm = JSON.parse(await kubectl.ok(['get', 'cm', 'c1', '-n', 'imperative', '-o', 'json']));
    expect(cm.data).toEqual({ j: '1' });
    expect(cm.metadata.labels).toEqual({ color: 'green' });
    const d = JSON.parse(await kubectl.ok(['get', 'deploy', 'd1', '-n', 'imperative', '-o', 'json']));
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.containers[0].image).toBe('nginx:2');
  });

  it('waits for a CRD to be established, serves its kind, and forgets it on delete', async () => {
    const file = join(dir, 'crd.yaml');
    await writeFile(file, crd);
    await kubectl.ok(['apply', '--server-side', '-f', file]);
    expect(
      await kubectl.ok(['wait', '--for=condition=established', 'crd/widgets.example.com', '--timeout=10s']),
    ).toContain('condition met');
    await kubectl.ok(['apply', '--server-side', '-f', '-'], {
      stdin:
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: shop}\nspec: {size: 3}\n',
    });
    expect(await kubectl.ok(['get', 'wd', '-n', 'shop'])).toMatch(/^NAME\s+SIZE\nw1\s+3\n$/);
    const strict = await kubectl.run(['apply', '--server-side', '-f', '-'], {
      stdin:
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2, namespace: shop}\nspek: {size: 3}\n',
    });
    expect(strict.stderr).toContain('unknown field "spek"');
    await kubectl.ok(['delete', 'crd', 'widgets.example.com']);
    expect(server.count('example.com', 'widgets')).toBe(0);
    expect(await kubectl.ok(['api-resources', '--api-group=example.com', '--no-headers'], {})).toBe('');
  });

  it('waits on a condition that becomes true later (list + watch) and rolls out', async () => {
    await kubectl.ok(['apply', '--server-side', '-f', '-'], {
      stdin:
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: slow, namespace: shop}\nspec:\n  selector: {matchLabels: {app: slow}}\n  template:\n    metadata: {labels: {app: slow}}\n    spec: {containers: [{name: c, image: nginx}]}\n',
    });
    expect(
      await kubectl.ok(['wait', '--for=condition=Available', 'deploy/slow', '-n', 'shop', '--timeout=10s']),
    ).toContain('condition met');
    expect(await kubectl.ok(['rollout', 'status', 'deploy/slow', '-n', 'shop', '--timeout=10s'])).toContain(
      'successfully rolled out',
    );
  });

  it('deletes objects and namespaces with their contents', async () => {
    expect(await kubectl.ok(['delete', 'secret', 'creds', '-n', 'shop'])).toContain('secret "creds" deleted');
    expect((await kubectl.run(['get', 'secret', 'creds', '-n', 'shop'])).stderr).toContain(
      'secrets "creds" not found',
    );
    await kubectl.ok(['delete', 'ns', 'shop', '--timeout=10s']);
    expect(server.getObject('', 'configmaps', 'shop', 'settings')).toBeUndefined();
    expect(server.getObject('', 'namespaces', undefined, 'shop')).toBeUndefined();
  });
});

describe('kubectl with tokens, impersonation and RBAC (HTTPS)', () => {
  let server: KubeTestServer;
  let admin: Kubectl;

  beforeAll(async () => {
    server = await KubeTestServer.start({
      tls: true,
      tokens: { 'alice-token': { user: 'alice', groups: ['devs'] } },
    });
    admin = await Kubectl.create(server.kubeconfig());
    await admin.ok(['apply', '--server-side', '-f', '-'], {
      stdin: `
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-b}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: tenant, namespace: team-a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: tenant-admin, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects:
- {kind: ServiceAccount, name: tenant, namespace: team-a}
- {kind: Group, name: devs}
`,
    });
  });
  afterAll(async () => {
    await admin?.cleanup();
    await server?.stop();
  });

  it('answers auth can-i for impersonated identities', async () => {
    const sa = 'system:serviceaccount:team-a:tenant';
    expect(
      (
        await admin.run(['auth', 'can-i', 'create', 'deployments', '-n', 'team-a', `--as=${sa}`])
      ).stdout.trim(),
    ).toBe('yes');
    expect(
      (
        await admin.run(['auth', 'can-i', 'create', 'deployments', '-n', 'team-b', `--as=${sa}`])
      ).stdout.trim(),
    ).toBe('no');
    expect(
      (
        await admin.run(['auth', 'can-i', 'list', 'secrets', '-n', 'team-a', '--as=alice', '--as-group=devs'])
      ).stdout.trim(),
    ).toBe('yes');
    expect(
      (await admin.run(['auth', 'can-i', 'list', 'secrets', '-n', 'team-a', '--as=alice'])).stdout.trim(),
    ).toBe('no');
    expect((await admin.run(['auth', 'can-i', 'create', 'clusterroles', `--as=${sa}`])).stdout.trim()).toBe(
      'no',
    );
  });

  it('confines a service account token to its namespace', async () => {
    const token = (await admin.ok(['create', 'token', 'tenant', '-n', 'team-a'])).trim();
    const tenant = await Kubectl.create(server.kubeconfig({ token }));
    try {
      expect(await tenant.ok(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).toBe(
        'system:serviceaccount:team-a:tenant',
      );
      await tenant.ok(['create', 'configmap', 'mine', '-n', 'team-a', '--from-literal=a=b']);
      const denied = await tenant.run(['get', 'configmaps', '-n', 'team-b']);
      expect(denied.code).not.toBe(0);
      expect(denied.stderr).toContain(
        'configmaps is forbidden: User "system:serviceaccount:team-a:tenant" cannot list resource "configmaps" in API group "" in the namespace "team-b"',
      );
      const escalate = await tenant.run([
        'create',
        'rolebinding',
        'grab',
        '-n',
        'team-a',
        '--clusterrole=cluster-admin',
        '--serviceaccount=team-a:tenant',
      ]);
      expect(escalate.stderr).toContain('is attempting to grant RBAC permissions not currently held');
    } finally {
      await tenant.cleanup();
    }
  });

  it('rejects unknown tokens and accepts static ones', async () => {
    const bogus = await admin.run(['--token=nope', 'get', 'ns']);
    expect(bogus.stderr).toContain('Unauthorized');
    const alice = await Kubectl.create(server.kubeconfig({ token: 'alice-token' }));
    try {
      expect(await alice.ok(['get', 'cm', '-n', 'team-a', '-o', 'name'])).toContain('configmap/mine');
      expect((await alice.run(['get', 'ns'])).stderr).toContain(
        'User "alice" cannot list resource "namespaces"',
      );
    } finally {
      await alice.cleanup();
    }
  });
});
