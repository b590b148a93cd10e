import { SourceError } from './errors.js';
import { describe, expect, it } from 'vitest';
import { checkRepositoryUrl, isInternalAddress, type LookupAll } from './url-policy.js';

const publicDns: LookupAll = async () => [{ address: '140.82.121.3', family: 4 }];
const rebinding: LookupAll = async () => [
  { address: '140.82.121.3', family: 4 },
  { address: '10.0.0.7', family: 4 },
];
const none = { allowedHosts: [] };

describe('checkRepositoryUrl', () => {
  it('accepts a public https URL', async () => {
    expect((await checkRepositoryUrl('https://github.com/acme/fleet.git', none, publicDns)).href).toBe(
      'https://github.com/acme/fleet.git',
    );
  });

  it.each([
    ['file:///etc/passwd', /scheme "file" is not allowed/],
    ['ext::sh -c touch% /tmp/pwned', /whitespace|transport helper/],
    ['ext::sh', /transport helper URLs/],
    ['-uhack', /starts with "-"/],
    ['--upload-pack=touch /tmp/x', /starts with "-"/],
    ['ssh://git@github.com/acme/fleet.git', /scheme "ssh" is not allowed/],
    ['git@github.com:acme/fleet.git', /not an absolute URL/],
    ['git://github.com/acme/fleet.git', /scheme "git" is not allowed/],
    ['http://github.com/acme/fleet.git', /plain http is only allowed/],
    ['https://127.0.0.1/repo.git', /resolves to 127\.0\.0\.1/],
    ['https://169.254.169.254/latest/meta-data', /resolves to 169\.254\.169\.254/],
    ['https://[::1]/repo.git', /resolves to ::1/],
    ['https://[::ffff:127.0.0.1]/repo.git', /loopback\/private\/link-local/],
    ['https://[fd00::1]/repo.git', /loopback\/private\/link-local/],
    ['https://0.0.0.0/repo.git', /resolves to 0\.0\.0\.0/],
    ['https://192.168.1.10/repo.git', /resolves to 192\.168\.1\.10/],
  ])('refuses %s', async (url, reason) => {
    await expect(checkRepositoryUrl(url, none, publicDns)).rejects.toMatchObject({
      code: 'url_refused',
      message: expect.stringMatching(reason),
    });
  });

  it('refuses embedded credentials without echoing them', async () => {
    const error = await checkRepositoryUrl(
      'https://bob:hunter2@github.com/acme/fleet.git',
      none,
      publicDns,
    ).then(
      () => expect.unreachable('expected a rejection'),
      (caught: unknown) => caught as SourceError,
    );
    expect(error.message).toMatch(/credentials embedded in the URL/);
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses a name that resolves to any internal address', async () => {
    await expect(checkRepositoryUrl('https://git.example.com/a.git', none, rebinding)).rejects.toMatchObject({
      message: expect.stringContaining('git.example.com resolves to 10.0.0.7'),
    });
  });

  it('allows listed hosts over http and on private addresses, port by port', async () => {
    const policy = { allowedHosts: ['git.internal:8080', 'http://127.0.0.1:3000', 'gitea.lan'] };
    const internalDns: LookupAll = async () => [{ address: '10.1.2.3', family: 4 }];
    await expect(
      checkRepositoryUrl('http://git.internal:8080/a.git', policy, internalDns),
    ).resolves.toBeInstanceOf(URL);
    await expect(
      checkRepositoryUrl('http://127.0.0.1:3000/a.git', policy, internalDns),
    ).resolves.toBeInstanceOf(URL);
    await expect(checkRepositoryUrl('https://gitea.lan/a.git', policy, internalDns)).resolves.toBeInstanceOf(
      URL,
    );
    await expect(
      checkRepositoryUrl('http://127.0.0.1:3001/a.git', policy, internalDns),
    ).rejects.toMatchObject({ code: 'url_refused' });
    await expect(
      checkRepositoryUrl('https://git.internal:9999/a.git', policy, internalDns),
    ).rejects.toMatchObject({
      message: expect.stringContaining('add git.internal:9999 to FLOTILLA_GIT_ALLOWED_HOSTS'),
    });
  });

  it('reports unresolvable hosts', async () => {
    const failing: LookupAll = async () => {
      throw new Error('ENOTFOUND');
    };
    await expect(checkRepositoryUrl('https://nowhere.invalid/a.git', none, failing)).rejects.toMatchObject({
      message: expect.stringContaining('could not be resolved'),
    });
  });
});

describe('isInternalAddress', () => {
  it('classifies addresses', () => {
    for (const address of [
      '127.0.0.1',
      '10.2.3.4',
      '172.20.0.1',
      '100.64.0.1',
      '169.254.169.254',
      '::',
      '::1',
      'fe80::1',
      'fc00::1',
      '::ffff:8.8.8.8',
      'garbage',
    ]) {
      expect(isInternalAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '140.82.121.3', '2606:4700:4700::1111']) {
      expect(isInternalAddress(address), address).toBe(false);
    }
  });
});
