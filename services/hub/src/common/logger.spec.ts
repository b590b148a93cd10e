import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('log redaction', () => {
  it('masks credentials wherever a request or payload carries them', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('info', sink);
    logger.info(
      { req: { headers: { authorization: 'Bearer eyJhbGciOi.secret', cookie: 'sid=s3cr3t' } } },
      'request',
    );
    logger.info({ body: { username: 'alice', password: 'hunter2-hunter2' } }, 'payload');
    logger.info({ token: { secret: 'flt_abcdef', tokenHash: 'deadbeef' } }, 'token');
    const output = lines.join('');
    for (const secret of ['eyJhbGciOi', 's3cr3t', 'hunter2', 'flt_abcdef', 'deadbeef']) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain('alice');
    expect(output).toContain('[redacted]');
  });
});
