import { decode, parseCreds, type Account, type Operator, type User } from '@nats-io/jwt';
import { createUser } from '@nats-io/nkeys';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NatsAuthority } from './nats-authority.js';

const authority = NatsAuthority.generate({ operatorName: 'op', accountName: 'app' });
const ACCOUNT_LIMIT_KEYS = [
  'subs',
  'data',
  'payload',
  'imports',
  'exports',
  'wildcards',
  'conn',
  'leaf',
  'disallow_bearer',
  'mem_storage',
  'disk_storage',
  'streams',
  'consumer',
  'mem_max_stream_bytes',
  'disk_max_stream_bytes',
  'max_bytes_required',
  'max_ack_pending',
];

describe('NatsAuthority JWTs', () => {
  it('names the system account in the operator JWT', async () => {
    const operator = decode<Operator>(await authority.operatorJwt());
    expect(operator.sub).toBe(authority.operatorPublicKey);
    expect(operator.nats.system_account).toBe(authority.systemAccountPublicKey);
  });

  it('spells every account limit, unlimited with JetStream for the app account', async () => {
    const account = decode<Account>(await authority.accountJwt());
    expect(account.iss).toBe(authority.operatorPublicKey);
    expect(Object.keys(account.nats.limits ?? {}).sort()).toEqual([...ACCOUNT_LIMIT_KEYS].sort());
    expect(account.nats.limits).toMatchObject({
      conn: -1,
      subs: -1,
      disk_storage: -1,
      streams: -1,
      consumer: -1,
    });
    expect(account.nats.signing_keys).toHaveLength(1);
  });

  it('keeps JetStream off for the system account but every other limit explicit', async () => {
    const system = decode<Account>(await authority.systemAccountJwt());
    expect(Object.keys(system.nats.limits ?? {}).sort()).toEqual([...ACCOUNT_LIMIT_KEYS].sort());
    expect(system.nats.limits).toMatchObject({ conn: -1, disk_storage: 0, mem_storage: 0 });
  });
});

describe('NatsAuthority credentials', () => {
  it('mints an agent user with exactly its own subjects and a fresh key each time', async () => {
    const first = await authority.mintAgentCredentials('edge-1');
    const second = await authority.mintAgentCredentials('edge-1');
    expect(first.userPublicKey).not.toBe(second.userPublicKey);

    const { jwt, uc, aid, key } = await parseCreds(new TextEncoder().encode(first.creds));
    expect(key).toMatch(/^SU/);
    expect(aid).toBe(authority.accountPublicKey);
    expect(uc.sub).toBe(first.userPublicKey);
    expect(uc.iat).toBe(first.issuedAt);
    // Signed by the account signing key, not the account identity key.
    expect(uc.iss).not.toBe(authority.accountPublicKey);
    const user = decode<User>(jwt).nats;
    expect(user.issuer_account).toBe(authority.accountPublicKey);
    expect(user.pub?.allow).toEqual([
      '$JS.API.DIRECT.GET.KV_assignments.$KV.assignments.edge-1',
      'flotilla.status.edge-1',
      'flotilla.hub.edge-1.>',
    ]);
    expect(user.sub?.allow).toEqual(['_INBOX_edge-1.>', 'flotilla.agent.edge-1.notify']);
    expect(user.resp).toBeUndefined();
    expect(user.bearer_token).toBe(false);
  });

  it('refuses a cluster id that would widen the permissions', async () => {
    await expect(authority.mintAgentCredentials('a.>')).rejects.toThrow(/invalid cluster id/);
  });

  it('lets the hub answer into agent inboxes only through single responses', async () => {
    const hub = await authority.mintHubCredentials();
    const user = decode<User>((await parseCreds(new TextEncoder().encode(hub.creds))).jwt).nats;
    expect(hub.inboxPrefix).toBe('_INBOX_HUB');
    expect(user.resp).toMatchObject({ max: 1 });
    expect(user.sub?.allow).toEqual([
      '_INBOX_HUB.>',
      'flotilla.hub.>',
      'flotilla.status.>',
      'flotilla.register.*',
    ]);
    expect(user.pub?.allow).toContain('flotilla.agent.>');
    expect(user.pub?.allow).not.toContain('>');
  });

  it('signs an agent JWT for a key the agent made, with the agent permissions', async () => {
    const key = createUser().getPublicKey();
    const claims = decode<User>(await authority.signAgentJwt('c1', key));
    expect(claims.sub).toBe(key);
    expect(claims.nats.pub?.allow).toEqual(
      expect.arrayContaining(['flotilla.status.c1', 'flotilla.hub.c1.>']),
    );
    expect(claims.nats.sub?.allow).toEqual(['_INBOX_c1.>', 'flotilla.agent.c1.notify']);
    await expect(authority.signAgentJwt('c1', 'SUAAA')).rejects.toThrow(/user public key/);
  });

  it('mints an expiring bootstrap user that may only register its cluster', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const bootstrap = await authority.mintBootstrapCredentials('c1', exp);
    const claims = decode<User>((await parseCreds(new TextEncoder().encode(bootstrap.creds))).jwt);
    expect(claims.exp).toBe(exp);
    expect(bootstrap.inboxPrefix).toBe('_INBOX_reg_c1');
    expect(claims.nats.pub?.allow).toEqual(['flotilla.register.c1']);
    expect(claims.nats.sub?.allow).toEqual(['_INBOX_reg_c1.>']);
  });

  it('records a revocation without a connection', () => {
    const own = NatsAuthority.generate();
    const key = createUser().getPublicKey();
    own.recordRevocation(key, 1234);
    expect(own.revocations).toEqual({ [key]: 1234 });
    expect(NatsAuthority.fromJSON(own.toJSON()).revocations[key]).toBe(1234);
    expect(() => own.recordRevocation('nope')).toThrow(/user public key/);
  });

  it("confines the claims updater to this one account's claims", async () => {
    const updater = await authority.mintClaimsUpdaterCredentials();
    const { uc, aid } = await parseCreds(new TextEncoder().encode(updater.creds));
    expect(aid).toBe(authority.systemAccountPublicKey);
    expect(uc.nats.pub?.allow).toEqual([
      `$SYS.REQ.ACCOUNT.${authority.accountPublicKey}.CLAIMS.UPDATE`,
      `$SYS.REQ.ACCOUNT.${authority.accountPublicKey}.CLAIMS.LOOKUP`,
    ]);
  });

  it('rejects a revocation of something that is not a user key', async () => {
    await expect(authority.revokeUser(authority.accountPublicKey, undefined as never)).rejects.toThrow(
      /user public key/,
    );
    expect(authority.revocations).toEqual({});
  });
});

describe('NatsAuthority persistence', () => {
  it('round-trips through JSON with the same identities', () => {
    const restored = NatsAuthority.fromJSON(JSON.parse(JSON.stringify(authority)));
    expect(restored.accountPublicKey).toBe(authority.accountPublicKey);
    expect(restored.operatorPublicKey).toBe(authority.operatorPublicKey);
    expect(restored.toJSON()).toEqual(authority.toJSON());
  });

  it('names bad fields without echoing seeds', () => {
    const json = authority.toJSON();
    const broken = {
      ...json,
      // A character in the middle: the last one may carry only padding bits, and changing it
      // can leave a valid seed (the test then flaked with one key in 32).
      accountSeed:
        json.accountSeed.slice(0, 10) +
        (json.accountSeed[10] === 'A' ? 'B' : 'A') +
        json.accountSeed.slice(11),
    };
    let message = '';
    try {
      NatsAuthority.fromJSON({ ...broken, operatorSeed: json.systemAccountSeed });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^invalid NATS key material: /);
    expect(message).toContain('operatorSeed');
    expect(message).toContain('accountSeed');
    for (const seed of [json.accountSeed, json.systemAccountSeed, broken.accountSeed]) {
      expect(message).not.toContain(seed);
    }
    expect(() => NatsAuthority.fromJSON(null)).toThrow(/invalid NATS key material/);
  });

  it('keeps seeds out of inspection output', () => {
    const shown = inspect(authority, { depth: 5 });
    expect(shown).toContain(authority.accountPublicKey);
    expect(shown).not.toMatch(/S[OA][A-Z2-7]{56}/);
  });
});

describe('renderServerConfig', () => {
  it('configures the full resolver with both accounts preloaded', async () => {
    const config = await authority.renderServerConfig({
      port: 4222,
      storeDir: '/data/js',
      resolverDir: '/data/jwt',
    });
    expect(config).toContain('port: 4222');
    expect(config).toContain('jetstream: { store_dir: "/data/js" }');
    expect(config).toContain('resolver: { type: full, dir: "/data/jwt", allow_delete: false }');
    expect(config).toContain(`system_account: ${authority.systemAccountPublicKey}`);
    expect(config).toContain(`  ${authority.accountPublicKey}: "ey`);
    expect(config).toContain(`  ${authority.systemAccountPublicKey}: "ey`);
    expect(config).toContain(`max_payload: ${8 * 1024 * 1024}`);
    expect(config).not.toMatch(/S[OAU][A-Z2-7]{56}/);
    expect(config).not.toContain('http_port');
  });

  it('adds listen address and monitoring port when asked', async () => {
    const config = await authority.renderServerConfig({
      port: 4222,
      storeDir: '/s',
      resolverDir: '/r',
      host: '0.0.0.0',
      monitorPort: 8222,
      maxPayload: 1024,
    });
    expect(config).toContain('host: "0.0.0.0"');
    expect(config).toContain('http_port: 8222');
    expect(config).toContain('max_payload: 1024');
  });
});
