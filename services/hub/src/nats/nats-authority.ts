import {
  assertClusterId,
  bootstrapInboxPrefix,
  CLAIMS_UPDATER_INBOX_PREFIX,
  HUB_INBOX_PREFIX,
  type ClusterId,
} from '@flotilla/contracts';
import type { Account } from '@nats-io/jwt';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  mintUser,
  signAccount,
  signUser,
  signOperator,
  APP_ACCOUNT_LIMITS,
  SYSTEM_ACCOUNT_LIMITS,
  type UserCredentials,
} from './claims.js';
import { fetchAccountClaims, pushAccountClaims } from './claims-update.js';
import { verifiedClaims } from './verify-jwt.js';
import {
  generateKeyMaterial,
  keyPairsOf,
  parseKeyMaterial,
  type NatsKeyMaterialJSON,
  type NatsKeyPairs,
} from './key-material.js';
import {
  agentPermissions,
  bootstrapPermissions,
  claimsUpdaterPermissions,
  hubPermissions,
} from './permissions.js';
import { renderServerConfigText, type ServerConfigPaths, type ServerJwts } from './server-config.js';

export interface ServiceCredentials extends UserCredentials {
  /** Connect with this inbox prefix: the user may subscribe to no other inbox. */
  inboxPrefix: string;
}

const USER_KEY = /^U[A-Z2-7]{55}$/;

/**
 * The hub's NATS operator: owns the operator, system account and application account keys,
 * signs their JWTs, mints user credentials and revokes them. Holds state (the revocation
 * list) — persist `toJSON()` after every `revokeUser`.
 */
export class NatsAuthority {
  readonly #material: NatsKeyMaterialJSON;
  readonly #keys: NatsKeyPairs;

  private constructor(material: NatsKeyMaterialJSON) {
    this.#material = { ...material, revocations: { ...material.revocations } };
    this.#keys = keyPairsOf(material);
  }

  static generate(names: { operatorName?: string; accountName?: string } = {}): NatsAuthority {
    return new NatsAuthority(
      generateKeyMaterial({
        operatorName: names.operatorName ?? 'flotilla',
        accountName: names.accountName ?? 'flotilla',
      }),
    );
  }

  /** Restores an authority from `toJSON()` output (after the caller decrypted it). */
  static fromJSON(json: unknown): NatsAuthority {
    return new NatsAuthority(parseKeyMaterial(json));
  }

  /** Key material including seeds: encrypt before storing, never log. */
  toJSON(): NatsKeyMaterialJSON {
    return { ...this.#material, revocations: { ...this.#material.revocations } };
  }

  /** Keeps seeds out of `console.log`/`util.inspect` output. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `NatsAuthority { account: ${this.accountPublicKey} }`;
  }

  get operatorPublicKey(): string {
    return this.#keys.operator.getPublicKey();
  }

  get systemAccountPublicKey(): string {
    return this.#keys.systemAccount.getPublicKey();
  }

  get accountPublicKey(): string {
    return this.#keys.account.getPublicKey();
  }

  get revocations(): Readonly<Record<string, number>> {
    return { ...this.#material.revocations };
  }

  operatorJwt(): Promise<string> {
    return signOperator(this.#material.operatorName, this.#keys.operator, this.#keys.systemAccount);
  }

  systemAccountJwt(): Promise<string> {
    return signAccount('SYS', this.#keys.systemAccount, this.#keys.operator, {
      limits: SYSTEM_ACCOUNT_LIMITS,
    });
  }

  /** The application account JWT, carrying every revocation so far. */
  accountJwt(): Promise<string> {
    return signAccount(this.#material.accountName, this.#keys.account, this.#keys.operator, {
      limits: APP_ACCOUNT_LIMITS,
      signingKeys: [this.#keys.accountSigning],
      revocations: this.#material.revocations,
    });
  }

  async serverJwts(): Promise<ServerJwts> {
    const [operatorJwt, systemJwt, accountJwt] = await Promise.all([
      this.operatorJwt(),
      this.systemAccountJwt(),
      this.accountJwt(),
    ]);
    return { operatorJwt, systemAccount: this.systemAccountPublicKey, accountJwts: [systemJwt, accountJwt] };
  }

  async renderServerConfig(paths: ServerConfigPaths): Promise<string> {
    return renderServerConfigText(paths, await this.serverJwts());
  }

  async mintHubCredentials(): Promise<ServiceCredentials> {
    const user = await mintUser('hub', this.#keys.account, this.#keys.accountSigning, hubPermissions());
    return { ...user, inboxPrefix: HUB_INBOX_PREFIX };
  }

  /** A system-account user allowed only to push this account's claims (used by `revokeUser`). */
  async mintClaimsUpdaterCredentials(): Promise<ServiceCredentials> {
    const user = await mintUser(
      'claims-updater',
      this.#keys.systemAccount,
      this.#keys.systemAccount,
      claimsUpdaterPermissions(this.accountPublicKey),
    );
    return { ...user, inboxPrefix: CLAIMS_UPDATER_INBOX_PREFIX };
  }

  /** A fresh identity for cluster `clusterId`'s agent, confined to that cluster's subjects. */
  async mintAgentCredentials(clusterId: ClusterId): Promise<UserCredentials> {
    assertClusterId(clusterId);
    return mintUser(
      `agent:${clusterId}`,
      this.#keys.account,
      this.#keys.accountSigning,
      agentPermissions(clusterId),
    );
  }

  /**
   * The agent JWT for a key pair the agent generated itself (registration): the seed never
   * leaves the agent. Same permissions as `mintAgentCredentials`.
   */
  async signAgentJwt(clusterId: ClusterId, userPublicKey: string): Promise<string> {
    assertClusterId(clusterId);
    if (!USER_KEY.test(userPublicKey)) throw new TypeError('signAgentJwt needs a user public key (U…)');
    return signUser(
      `agent:${clusterId}`,
      userPublicKey,
      this.#keys.account,
      this.#keys.accountSigning,
      agentPermissions(clusterId),
    );
  }

  /**
   * The throw-away credential carried inside a registration token: it may only send the
   * registration request of `clusterId` and expires at `expiresAt` (unix seconds).
   */
  async mintBootstrapCredentials(clusterId: ClusterId, expiresAt: number): Promise<ServiceCredentials> {
    assertClusterId(clusterId);
    const user = await mintUser(
      `register:${clusterId}`,
      this.#keys.account,
      this.#keys.accountSigning,
      bootstrapPermissions(clusterId),
      expiresAt,
    );
    return { ...user, inboxPrefix: bootstrapInboxPrefix(clusterId) };
  }

  /**
   * Records a revocation without telling the server (no connection at hand); the next
   * `pushAccountClaims` or `revokeUser` delivers it. Persist `toJSON()` afterwards.
   */
  recordRevocation(userPublicKey: string, at = Math.floor(Date.now() / 1000)): void {
    if (!USER_KEY.test(userPublicKey))
      throw new TypeError('recordRevocation needs a user public key (U…, 56 characters)');
    this.#revoke(userPublicKey, at);
  }

  /**
   * Revokes every credential of `userPublicKey` issued up to now and pushes the re-signed
   * account JWT through `claimsUpdater` (a connection made with `mintClaimsUpdaterCredentials`).
   * The revocation is recorded before the push, so a failed push is repaired by the next
   * `revokeUser` or `pushAccountClaims`.
   */
  async revokeUser(userPublicKey: string, claimsUpdater: NatsConnection): Promise<void> {
    if (!USER_KEY.test(userPublicKey))
      throw new TypeError('revokeUser needs a user public key (U…, 56 characters)');
    this.#revoke(userPublicKey, Math.floor(Date.now() / 1000));
    await this.pushAccountClaims(claimsUpdater);
  }

  /**
   * Pushes the account JWT with the union of our and the server's revocations, e.g. at hub
   * start to bring a restored server in line.
   */
  async pushAccountClaims(claimsUpdater: NatsConnection): Promise<void> {
    await this.#mergeServerRevocations(claimsUpdater);
    await pushAccountClaims(claimsUpdater, this.accountPublicKey, await this.accountJwt());
  }

  #revoke(userPublicKey: string, at: number): void {
    const revocations = this.#material.revocations;
    revocations[userPublicKey] = Math.max(at, revocations[userPublicKey] ?? 0);
  }

  // Another hub replica (or a lost DB write) may have pushed revocations this instance does
  // not know; re-signing without them would silently un-revoke those users.
  async #mergeServerRevocations(claimsUpdater: NatsConnection): Promise<void> {
    const jwt = await fetchAccountClaims(claimsUpdater, this.accountPublicKey);
    // nats-server 2.9 stores pushed JWTs it does not trust, so check the signature ourselves.
    const claims = jwt && verifiedClaims<Account>(jwt, this.operatorPublicKey);
    if (!claims || claims.sub !== this.accountPublicKey) return;
    for (const [user, at] of Object.entries(claims.nats.revocations ?? {})) {
      if (USER_KEY.test(user)) this.#revoke(user, at);
    }
  }
}
