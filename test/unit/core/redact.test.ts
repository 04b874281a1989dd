import { Writable } from 'node:stream';
import { createLogger } from '../../../src/core/logger';
import { redactPii, scrubText } from '../../../src/core/redact';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb): void {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, stream };
}

const planted = {
  given: 'Aminata', family: 'Diallo', birth: '1987-04-12', phone: '+221 77 123 45 67', nin: '1234567890123', city: 'Thiès',
};

describe('log redaction', () => {
  it('never writes planted PII, whatever the shape of the logged object', () => {
    const { lines, stream } = capture();
    const logger = createLogger('trace', stream);
    logger.info({ patient: { name: [{ given: [planted.given], family: planted.family }], birthDate: planted.birth } }, 'registered');
    logger.info({ first_name: planted.given, lastName: planted.family, phone_number: planted.phone, external_ids: { nin: planted.nin } });
    logger.warn({ nested: { deeper: { address: { city: planted.city }, identifier: [{ value: planted.nin }] } } }, 'nested');
    logger.error({ err: new Error(`E11000 duplicate key error dup key: { value: "${planted.nin}" }`) }, 'write failed');
    logger.info(`lookup for ${planted.birth} and ${planted.phone}`);
    logger.info({ q: `${planted.given} ${planted.family}`, telecom: [{ value: planted.phone }] }, 'search');
    const out = lines.join('');
    expect(lines).toHaveLength(6);
    for (const value of [planted.given, planted.family, planted.birth, planted.nin, planted.city, '123 45 67']) {
      expect(out).not.toContain(value);
    }
    expect(out).toContain('[redacted]');
    expect(out).toContain('registered');
  });

  it('logs only the type, code and origin of errors whose messages we do not write', () => {
    const { lines, stream } = capture();
    const logger = createLogger('info', stream);
    logger.error({ err: new Error(`cannot map ${planted.given} ${planted.family}`) }, 'unexpected');
    logger.error({ err: { name: 'WeirdError', message: `leak ${planted.family}`, code: 42 } }, 'thrown object');
    const out = lines.join('');
    expect(out).not.toContain(planted.given);
    expect(out).not.toContain(planted.family);
    expect(out).toContain('"type":"Error"');
    expect(out).toContain('"code":42');
    expect(out).toMatch(/"at":"at /);
  });

  it('keeps non-personal fields', () => {
    expect(redactPii({ route: '/fhir/Patient/{id}', status: 200, mpiId: 'SN-DKR-26-9XQ7LM2A' })).toEqual({
      route: '/fhir/Patient/{id}', status: 200, mpiId: 'SN-DKR-26-9XQ7LM2A',
    });
  });

  it.each([
    ['born 19870412', 'born [redacted]'],
    ['call +221771234567 now', 'call [redacted] now'],
    ['E11000 dup key: { nin: "X" }', 'E11000 dup key: [redacted]'],
  ])('scrubs %s', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });

  it('survives cycles-free deep objects and long arrays', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 20; i += 1) deep = { child: deep };
    expect(JSON.stringify(redactPii(deep))).toContain('[truncated]');
    expect((redactPii(new Array(500).fill(1)) as unknown[]).length).toBe(50);
  });
});
