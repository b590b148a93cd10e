import { mkdtemp, readFile, rm, stat, writeFile, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../errors.js';
import {
  configPath,
  contextNameFor,
  loadConfig,
  normaliseServer,
  removeContext,
  resolveContext,
  saveConfig,
  upsertContext,
} from './contexts.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-cli-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('config file', () => {
  it('lives under XDG_CONFIG_HOME or ~/.config, FLOTILLA_CONFIG overriding both', () => {
    expect(configPath({ FLOTILLA_CONFIG: '/x/c.json', XDG_CONFIG_HOME: '/y' })).toBe('/x/c.json');
    expect(configPath({ XDG_CONFIG_HOME: '/y' })).toBe('/y/flotilla/config.json');
    expect(configPath({})).toMatch(/\.config\/flotilla\/config\.json$/);
  });

  it('is written 0600 in a 0700 directory, also over a looser existing file', async () => {
    const path = join(dir, 'flotilla', 'config.json');
    await mkdir(join(dir, 'flotilla'));
    await writeFile(path, '{}', { mode: 0o644 });
    await chmod(path, 0o644);
    await saveConfig(upsertContext({ contexts: [] }, { name: 'a', server: 'https://a', token: 't' }), path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const fresh = join(dir, 'new', 'config.json');
    await saveConfig({ contexts: [] }, fresh);
    expect((await stat(join(dir, 'new'))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      currentContext: 'a',
      contexts: [{ name: 'a', server: 'https://a', token: 't' }],
    });
  });

  it('reads a missing file as empty and names a broken one', async () => {
    expect(await loadConfig(join(dir, 'none.json'))).toEqual({ contexts: [] });
    await writeFile(join(dir, 'bad.json'), '{nope');
    await expect(loadConfig(join(dir, 'bad.json'))).rejects.toThrow(/bad.json is not valid JSON/);
  });
});

describe('contexts', () => {
  const config = upsertContext(upsertContext({ contexts: [] }, { name: 'a', server: 'https://a' }), {
    name: 'b',
    server: 'https://b',
  });

  it('upsert replaces by name and makes current; remove clears current', () => {
    expect(config.currentContext).toBe('b');
    const replaced = upsertContext(config, { name: 'a', server: 'https://a2' });
    expect(replaced.contexts.map((c) => c.server)).toEqual(['https://b', 'https://a2']);
    expect(removeContext(config, 'b')).toEqual({
      currentContext: undefined,
      contexts: [{ name: 'a', server: 'https://a' }],
    });
    expect(() => removeContext(config, 'zzz')).toThrow(
      expect.objectContaining({ exitCode: ExitCode.notFound }),
    );
  });

  it('resolves the current or a named context; none at all means not logged in', () => {
    expect(resolveContext(config).name).toBe('b');
    expect(resolveContext(config, 'a').server).toBe('https://a');
    expect(() => resolveContext({ contexts: [] })).toThrow(
      expect.objectContaining({ exitCode: ExitCode.notLoggedIn }),
    );
    expect(() => resolveContext(config, 'zzz')).toThrow(
      expect.objectContaining({ exitCode: ExitCode.notFound }),
    );
  });

  it('normalises server addresses', () => {
    expect(normaliseServer('hub.example.com')).toBe('https://hub.example.com');
    expect(normaliseServer('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
    expect(() => normaliseServer('http://hub/api/v1')).toThrow(
      expect.objectContaining({ exitCode: ExitCode.usage }),
    );
    expect(contextNameFor('http://127.0.0.1:8080')).toBe('127.0.0.1:8080');
  });
});
