import { Injectable } from '@nestjs/common';
import { Problem } from '../common/problem.js';
import { BindingsRepository } from '../bindings/bindings.repository.js';
import {
  DeliveryReplayGuard,
  parsePushEvent,
  repositoryKey,
  verifyWebhookSignature,
  WebhookError,
  type WebhookHeaders,
  type WebhookProvider,
} from '../sources/index.js';
import { GitRepositoriesRepository } from './git-repositories.repository.js';
import { RefreshService } from './refresh.service.js';
import { RepositorySecrets } from './repository-secrets.js';

const PROVIDERS: readonly string[] = ['github', 'gitlab', 'gitea'] satisfies WebhookProvider[];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type WebhookOutcome = { status: 'accepted' | 'ignored' | 'duplicate'; reason?: string };

/** Branch or tag name as bindings write it, from a push's full ref name. */
function shortRef(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '');
}

@Injectable()
export class WebhooksService {
  private readonly replays = new DeliveryReplayGuard();

  constructor(
    private readonly repositories: GitRepositoriesRepository,
    private readonly bindings: BindingsRepository,
    private readonly secrets: RepositorySecrets,
    private readonly refresher: RefreshService,
  ) {}

  /**
   * Verifies the delivery against the repository's secret before reading it, then triggers a
   * background refresh. Replays are dropped; were one to get through, a refresh is idempotent.
   */
  async receive(
    provider: string,
    repositoryId: string,
    headers: WebhookHeaders,
    body: Buffer,
  ): Promise<WebhookOutcome> {
    if (!PROVIDERS.includes(provider)) throw Problem.notFound(`webhook provider "${provider}"`);
    const repository = UUID.test(repositoryId) ? await this.repositories.findById(repositoryId) : null;
    if (!repository) throw Problem.notFound(`repository ${repositoryId}`);
    const verdict = verifyWebhookSignature(
      provider as WebhookProvider,
      headers,
      body,
      await this.secrets.webhookSecret(repository.id),
    );
    if (!verdict.ok) throw new Problem('unauthenticated', `webhook signature refused: ${verdict.reason}`);
    let event;
    try {
      event = parsePushEvent(provider as WebhookProvider, body, headers);
    } catch (error) {
      if (error instanceof WebhookError)
        throw Problem.validation([{ field: 'body', message: error.message }]);
      throw error;
    }
    if (!event) return { status: 'ignored', reason: 'not a push event' };
    if (event.deliveryId && this.replays.isReplay(`${repository.id}:${event.deliveryId}`))
      return { status: 'duplicate' };
    const key = repositoryKey(repository.url);
    if (!event.repositoryUrls.some((url) => repositoryKey(url) === key))
      throw Problem.validation([{ field: 'repository', message: 'the push is for another repository' }]);
    if (event.deleted) return { status: 'ignored', reason: 'ref deleted' };
    const ref = shortRef(event.ref);
    const used = (await this.bindings.forRepository(repository.id)).some((binding) => binding.ref === ref);
    if (!used) return { status: 'ignored', reason: `no binding follows ${ref}` };
    void this.refresher.trigger(repository.id);
    return { status: 'accepted' };
  }
}
