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
