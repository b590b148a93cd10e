import { describe, expect, it } from 'vitest';
import { scrub, secretsOf, toOnAuth } from './credentials.js';

describe('credentials', () => {
  it('maps basic and token credentials to isomorphic-git onAuth answers', () => {
    expect(toOnAuth(undefined)).toBeUndefined();
    expect(toOnAuth({ username: 'alice', password: 'pw' })!('https://x', {})).toEqual({
      username: 'alice',
      password: 'pw',
    });
    expect(toOnAuth({ token: 'tok' })!('https://x', {})).toEqual({
      username: 'x-access-token',
      password: 'tok',
    });
  });

  it('scrubs secrets, their URL-encoded and basic-auth forms, and userinfo in URLs', () => {
    const secrets = secretsOf({ username: 'alice', password: 'p@ss/word' });
    const text = `failed https://alice:p%40ss%2Fword@git.example/r.git (p@ss/word) Authorization: Basic ${Buffer.from('alice:p@ss/word').toString('base64')}`;
    const clean = scrub(text, secrets);
    expect(clean).not.toContain('p@ss/word');
    expect(clean).not.toContain('p%40ss%2Fword');
    expect(clean).not.toContain(Buffer.from('alice:p@ss/word').toString('base64'));
    expect(clean).toContain('https://***@git.example/r.git');
    expect(scrub('token ghp_abc in ssh://u@host/x', ['ghp_abc'])).toBe('token *** in ssh://***@host/x');
  });
});
