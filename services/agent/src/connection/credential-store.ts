import { ApiException, CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';

export const CREDENTIALS_SECRET = 'flotilla-agent-credentials';
export const REGISTRATION_SECRET = 'flotilla-agent-registration';

export interface StoredCredentials {
  clusterId: string;
  /** NATS `.creds` text (JWT + the agent's own seed). */
  creds: string;
}

const isNotFound = (error: unknown) => error instanceof ApiException && error.code === 404;

function field(secret: V1Secret, key: string): string | undefined {
  const encoded = secret.data?.[key];
  if (encoded !== undefined) return Buffer.from(encoded, 'base64').toString('utf8');
  return secret.stringData?.[key];
}

/**
 * The agent's durable identity in its own namespace: the NATS credential it traded its
 * registration token for (so restarts never need a token again), and the registration token
 * Secret the install manifests created (re-read when a credential is revoked).
 */
export class CredentialStore {
  readonly #core: CoreV1Api;

  constructor(
    kubeConfig: KubeConfig,
    readonly namespace: string,
  ) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
  }

  async load(): Promise<StoredCredentials | null> {
    const secret = await this.read(CREDENTIALS_SECRET);
    const clusterId = secret && field(secret, 'clusterId');
    const creds = secret && field(secret, 'creds');
    return clusterId && creds ? { clusterId, creds } : null;
  }

  async save(credentials: StoredCredentials): Promise<void> {
    const body: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: CREDENTIALS_SECRET,
        namespace: this.namespace,
        labels: { 'app.kubernetes.io/part-of': 'flotilla' },
      },
      type: 'Opaque',
      data: {
        clusterId: Buffer.from(credentials.clusterId).toString('base64'),
        creds: Buffer.from(credentials.creds).toString('base64'),
      },
    };
    try {
      await this.#core.createNamespacedSecret({ namespace: this.namespace, body });
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 409)) throw error;
      await this.#core.replaceNamespacedSecret({ name: CREDENTIALS_SECRET, namespace: this.namespace, body });
    }
  }

  /** Forgets a credential NATS no longer accepts, so a restart does not try it again. */
  async clear(): Promise<void> {
    try {
      await this.#core.deleteNamespacedSecret({ name: CREDENTIALS_SECRET, namespace: this.namespace });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** The registration token from the install manifests' Secret, if present. */
  async registrationToken(): Promise<string | null> {
    const secret = await this.read(REGISTRATION_SECRET);
    return (secret && field(secret, 'token')?.trim()) || null;
  }

  private async read(name: string): Promise<V1Secret | null> {
    try {
      return await this.#core.readNamespacedSecret({ name, namespace: this.namespace });
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }
}
