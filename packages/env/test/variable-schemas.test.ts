import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  INITIALIZATION_TYPE_SCHEMA,
  LOG_FORMAT_SCHEMA,
  LOG_LEVEL_SCHEMA,
  POSITIVE_INTEGER_SCHEMA,
  RUNTIME_API_SCHEMA,
} from '../src/variable-schemas.js';

function firstMessage(schema: v.GenericSchema, value: unknown): string | undefined {
  return v.safeParse(schema, value, { abortPipeEarly: true }).issues?.[0].message;
}

describe('RUNTIME_API_SCHEMA', () => {
  it.each([
    '127.0.0.1:9001',
    'localhost:9001',
    '[::1]:9001',
    '[fe80::1%eth0]:9001',
    '169.254.100.1:1',
    'host-1.example.com:65535',
    'my_service:8080',
  ])('accepts %j when it is host:port', (value) => {
    const result = v.safeParse(RUNTIME_API_SCHEMA, value);

    expect(result.issues).toBeUndefined();
    expect(result.output).toBe(value);
  });

  it.each([
    ['https://localhost:9001', 'must be host:port without a scheme'],
    ['localhost:9001/', 'must be host:port without a path'],
    ['localhost:9001?x=1', 'must be host:port without a path'],
    ['localhost', 'must be host:port with a numeric port, e.g. 127.0.0.1:9001 or [::1]:9001'],
    ['localhost:http', 'must be host:port with a numeric port, e.g. 127.0.0.1:9001 or [::1]:9001'],
    [':9001', 'must be host:port with a numeric port, e.g. 127.0.0.1:9001 or [::1]:9001'],
    ['localhost:123456', 'must be host:port with a numeric port, e.g. 127.0.0.1:9001 or [::1]:9001'],
    ['-bad-.host:9001', 'must name a valid host (a hostname, an IPv4 address or a bracketed IPv6 address)'],
    ['1.2.3:9001', 'must name a valid host (a hostname, an IPv4 address or a bracketed IPv6 address)'],
    ['[]:9001', 'must name a valid host (a hostname, an IPv4 address or a bracketed IPv6 address)'],
    ['localhost:00000', 'must have a port between 1 and 65535'],
    ['localhost:70000', 'must have a port between 1 and 65535'],
  ])('rejects %j with the message %j', (value, message) => {
    expect(firstMessage(RUNTIME_API_SCHEMA, value)).toBe(message);
  });

  it('says the variable is not set and who should set it when the value is undefined', () => {
    expect(firstMessage(RUNTIME_API_SCHEMA, undefined)).toBe(
      'is not set (the runtime must be started by Lambda or an emulator)',
    );
  });
});

describe('POSITIVE_INTEGER_SCHEMA', () => {
  it.each([
    ['1', 1],
    ['128', 128],
    ['010240', 10240],
  ])('parses %j to %d when it is a positive integer', (value, expected) => {
    expect(v.parse(POSITIVE_INTEGER_SCHEMA, value)).toBe(expected);
  });

  it.each(['0', '00', '-1', '+1', '1.5', '1e3', '0x10', ' 1', '1 ', 'abc', '9007199254740993'])(
    'rejects %j when it is not a positive safe integer',
    (value) => {
      expect(firstMessage(POSITIVE_INTEGER_SCHEMA, value)).toBe('must be a positive integer');
    },
  );

  it('says the variable is not set when the value is undefined', () => {
    expect(firstMessage(POSITIVE_INTEGER_SCHEMA, undefined)).toBe('is not set');
  });
});

describe('LOG_FORMAT_SCHEMA', () => {
  it.each([
    ['Text', 'Text'],
    ['tExT', 'Text'],
    ['JSON', 'JSON'],
    ['json', 'JSON'],
  ])('parses %j to %j when compared case-insensitively', (value, expected) => {
    expect(v.parse(LOG_FORMAT_SCHEMA, value)).toBe(expected);
  });

  it.each(['', 'yaml', ' json'])('rejects %j when it is not Text or JSON', (value) => {
    expect(firstMessage(LOG_FORMAT_SCHEMA, value)).toBe('must be Text or JSON (any case)');
  });
});

describe('LOG_LEVEL_SCHEMA', () => {
  it.each(['TRACE', 'debug', 'Info', 'wArN', 'error', 'FATAL'])(
    'parses %j to its upper case when it is a level',
    (value) => {
      expect(v.parse(LOG_LEVEL_SCHEMA, value)).toBe(value.toUpperCase());
    },
  );

  it.each(['verbose', 'WARNING', 'off'])('rejects %j when it is not a level', (value) => {
    expect(firstMessage(LOG_LEVEL_SCHEMA, value)).toBe(
      'must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL (any case)',
    );
  });
});

describe('INITIALIZATION_TYPE_SCHEMA', () => {
  it.each(['on-demand', 'provisioned-concurrency', 'snap-start', 'lambda-managed-instances'])(
    'accepts %j when it is one of the four values',
    (value) => {
      expect(v.parse(INITIALIZATION_TYPE_SCHEMA, value)).toBe(value);
    },
  );

  it.each(['On-Demand', 'snapstart', 'eager'])('rejects %j when it is not exactly one of them', (value) => {
    expect(firstMessage(INITIALIZATION_TYPE_SCHEMA, value)).toBe(
      'must be one of on-demand, provisioned-concurrency, snap-start, lambda-managed-instances',
    );
  });
});
