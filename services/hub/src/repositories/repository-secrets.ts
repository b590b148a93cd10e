import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SecretBox } from '../crypto/secret-box.js';
import type { GitCredentials } from '../sources/index.js';
import { GitRepositoriesRepository } from './git-repositories.repository.js';

/**
 * Seals and opens a repository's credentials and webhook secret. The context names the row
 * and the purpose, so a sealed value copied to another row or column does not open.
 */
@Injectable()
export class RepositorySecrets {
  constructor(
    private readonly box: SecretBox,
    private readonly repositories: GitRepositoriesRepository,
  ) {}

  static generateWebhookSecret(): string {
    return randomBytes(32).toString('base64url');
  }

  sealCredentials(repositoryId: string, credentials: GitCredentials | null | undefined): string | null {
    return credentials
      ? this.box.seal(JSON.stringify(credentials), `repository:${repositoryId}:credentials`)
      : null;
  }

  sealWebhookSecret(repositoryId: string, secret: string): string {
    return this.box.seal(secret, `repository:${repositoryId}:webhook`);
  }

  async credentials(repositoryId: string): Promise<GitCredentials | undefined> {
    const { credentialsSealed } = await this.repositories.sealed(repositoryId);
    if (!credentialsSealed) return undefined;
    return JSON.parse(
      this.box.open(credentialsSealed, `repository:${repositoryId}:credentials`),
    ) as GitCredentials;
  }

  async webhookSecret(repositoryId: string): Promise<string> {
    const { webhookSecretSealed } = await this.repositories.sealed(repositoryId);
    return this.box.open(webhookSecretSealed, `repository:${repositoryId}:webhook`);
  }
}
