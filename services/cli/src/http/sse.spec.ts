import { describe, expect, it } from 'vitest';
import { parseSse, type ServerEvent } from './sse.js';

async function collect(chunks: string[]): Promise<ServerEvent[]> {
  async function* source() {
    yield* chunks;
  }
  const events: ServerEvent[] = [];
  for await (const event of parseSse(source())) events.push(event);
  return events;
}

describe('server-sent events', () => {
  it('joins data lines, keeps event names and ids, skips comments, survives split chunks', async () => {
    const events = await collect([
      ': keep-alive\n\nevent: binding.synced\nid: 7\nda',
      'ta: {"a":1}\ndata: {"b":2}\n',
      '\r\ndata: plain\n\n',
    ]);
    expect(events).toEqual([
      { event: 'binding.synced', id: '7', data: '{"a":1}\n{"b":2}' },
      { event: 'message', id: '7', data: 'plain' },
    ]);
  });

  it('drops an unterminated event at the end of the stream', async () => {
    expect(await collect(['data: half'])).toEqual([]);
  });
});
