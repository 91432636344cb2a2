import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has defaults that let `npm start` run with nothing set', () => {
    const c = loadConfig({}, '/srv/keyward');
    expect(c.PORT).toBe(8080);
    expect(c.BASE_URL).toBe('http://127.0.0.1:8080');
    expect(c.DATA_DIR).toBe('/srv/keyward/data');
    expect(c.MONGODB_URI).toBeUndefined();
    expect(c.SMTP_URL).toBeUndefined();
    expect(c.WKD_DOMAINS).toEqual([]);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads values and normalises them', () => {
    const c = loadConfig({
      PORT: '9000',
      BASE_URL: 'https://keys.example.org/',
      WKD_DOMAINS: ' Example.org, example.net ,',
      DATA_DIR: '/var/lib/keyward',
      SMTP_URL: 'smtp://mail.example.org:587',
      MAX_KEY_BYTES: '',
    });
    expect(c.PORT).toBe(9000);
    expect(c.BASE_URL).toBe('https://keys.example.org');
    expect(c.WKD_DOMAINS).toEqual(['example.org', 'example.net']);
    expect(c.DATA_DIR).toBe('/var/lib/keyward');
    expect(c.MAX_KEY_BYTES).toBe(32 * 1024);
  });

  it('reports every bad setting at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        BASE_URL: 'ftp://x',
        MONGODB_URI: 'postgres://x',
        RATE_UPLOADS_PER_HOUR: '-1',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/BASE_URL/);
    expect(problems).toMatch(/MONGODB_URI: must start with mongodb/);
    expect(problems).toMatch(/RATE_UPLOADS_PER_HOUR/);
    expect((error as ConfigError).problems).toHaveLength(4);
  });
});

describe('/metrics settings', () => {
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    return [];
  };

  it('serve /metrics on the public port without a token by default', () => {
    const c = loadConfig({});
    expect(c.METRICS_TOKEN).toBeUndefined();
    expect(c.METRICS_PORT).toBeUndefined();
    expect(c.METRICS_HOST).toBeUndefined();
  });

  it('take a token and a listener of its own, on 127.0.0.1 unless METRICS_HOST says otherwise', () => {
    const token = 'a'.repeat(64);
    expect(loadConfig({ METRICS_TOKEN: token, METRICS_PORT: '9090' })).toMatchObject({
      METRICS_TOKEN: token,
      METRICS_PORT: 9090,
      METRICS_HOST: '127.0.0.1',
    });
    expect(loadConfig({ METRICS_PORT: '9090', METRICS_HOST: '10.0.0.5' }).METRICS_HOST).toBe('10.0.0.5');
  });

  it('report a weak token, a clash with PORT and a lone METRICS_HOST together with the other problems', () => {
    const problems = problemsOf({
      PORT: '9090',
      METRICS_PORT: '9090',
      METRICS_TOKEN: 'short',
      MAX_USER_IDS: 'x',
    });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/METRICS_TOKEN: must be at least 32 characters/);
    expect(problems.join('\n')).toMatch(/METRICS_PORT: must differ from PORT/);
    expect(problems.join('\n')).toMatch(/MAX_USER_IDS/);
    expect(problemsOf({ METRICS_HOST: '127.0.0.1' })).toEqual([
      'METRICS_HOST: only used with METRICS_PORT; set both, or neither',
    ]);
    expect(problemsOf({ METRICS_PORT: '8080' })).toEqual([
      'METRICS_PORT: must differ from PORT (the metrics get a listener of their own)',
    ]);
  });
});

describe('OPAQUE_SERVER_SETUP', () => {
  it('is optional, and a malformed value is reported without being echoed', () => {
    expect(loadConfig({}).OPAQUE_SERVER_SETUP).toBeUndefined();
    const secretish = 'not-a-setup-but-secret-looking-value';
    let error: unknown;
    try {
      loadConfig({ OPAQUE_SERVER_SETUP: secretish });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/OPAQUE_SERVER_SETUP: must be an OPAQUE server setup/);
    expect((error as ConfigError).message).not.toContain(secretish);
  });
});

describe('digital-legacy settings', () => {
  it('have defaults, and bad values are reported with the rest', () => {
    expect(loadConfig({})).toMatchObject({
      RATE_LEGACY_REQUESTS_PER_IP_MINUTE: 30,
      RATE_LEGACY_ACCESS_REQUESTS_PER_ADDRESS_DAY: 3,
      LEGACY_SWEEP_SECONDS: 60,
    });
    let problems: string[] = [];
    try {
      loadConfig({
        LEGACY_SWEEP_SECONDS: '0',
        RATE_LEGACY_ACCESS_REQUESTS_PER_ADDRESS_DAY: 'many',
        PORT: 'x',
      });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems = e.problems;
    }
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(
      /LEGACY_SWEEP_SECONDS[\s\S]*RATE_LEGACY_ACCESS|RATE_LEGACY_ACCESS[\s\S]*LEGACY_SWEEP/,
    );
  });
});
