import { describe, expect, it } from 'vitest';
import { createLogger } from './log.ts';

describe('createLogger', () => {
  it('writes one JSON line per record and redacts secret-bearing keys', () => {
    const lines: string[] = [];
    const log = createLogger({ name: 'test', level: 'info', write: (l) => lines.push(l), now: () => new Date(0) });
    log.child({ requestId: 'r1' }).info('request', { status: 200, headers: { authorization: 'Bearer x', cookie: 'c' }, token: 't' });
    log.debug('hidden');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      time: '1970-01-01T00:00:00.000Z',
      level: 'info',
      name: 'test',
      msg: 'request',
      requestId: 'r1',
      status: 200,
      headers: { authorization: '[redacted]', cookie: '[redacted]' },
      token: '[redacted]',
    });
  });
});
