import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

/**
 * The keyserver's whole configuration, read once from the environment (documented in .env.example) and frozen.
 * Every problem is reported at once so an operator fixes them in one go, not one restart at a time.
 */
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  MONGODB_DB: z.string().min(1).default('keyward'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Keyward <keyserver@localhost>'),
  MAIL_ENCRYPT: z.enum(['never', 'when-possible']).default('when-possible'),
  // The mail queue (mail/mail-queue.ts): the first retry's wait (it doubles, up to an hour), and how long the
  // oldest unsent mail may wait before /healthz reports the queue stuck.
  MAIL_RETRY_SECONDS: positiveInt(30),
  MAIL_STUCK_MINUTES: positiveInt(15),
  WKD_DOMAINS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((d) => d.trim().toLowerCase())
        .filter(Boolean),
    ),
  KEYSERVER_SECRET: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (32 random bytes, e.g. `openssl rand -hex 32`)')
    .optional(),
  OPAQUE_SERVER_SETUP: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{171}$/, 'must be an OPAQUE server setup: 171 base64url characters')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // One line per request (http/access-log.ts), at level info.
  ACCESS_LOG: z.enum(['true', 'false']).default('true'),
  // /metrics: a bearer token Prometheus must send, and/or a listener of its own (docs/deploy.md, "Operations").
  METRICS_TOKEN: z
    .string()
    .regex(
      /^[A-Za-z0-9._~+/-]{32,}=*$/,
      'must be at least 32 characters of letters, digits and -._~+/ (e.g. `openssl rand -hex 32`)',
    )
    .optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).optional(),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  // Abuse limits: the key policy's size caps and the rate limits (.env.example says what each bounds).
  MAX_BODY_BYTES: positiveInt(1024 * 1024),
  MAX_KEY_BYTES: positiveInt(32 * 1024),
  MAX_USER_IDS: positiveInt(20),
  MAX_SUBKEYS: positiveInt(20),
  TOKEN_TTL_HOURS: positiveInt(24),
  UNVERIFIED_TTL_DAYS: positiveInt(14),
  RATE_LOOKUPS_PER_MINUTE: positiveInt(60),
  RATE_UPLOADS_PER_HOUR: positiveInt(60),
  RATE_VERIFY_MAILS_PER_ADDRESS_HOUR: positiveInt(1),
  RATE_VERIFY_MAILS_PER_IP_HOUR: positiveInt(20),
  RATE_UNPUBLISH_MAILS_PER_ADDRESS_HOUR: positiveInt(1),
  // Escrow (docs/escrow.md). The passphrase guess limit (10 per 15 minutes per account) is fixed, not a setting.
  RATE_ESCROW_CODES_PER_ADDRESS_HOUR: positiveInt(5),
  RATE_ESCROW_CODES_PER_IP_HOUR: positiveInt(20),
  RATE_ESCROW_REQUESTS_PER_IP_MINUTE: positiveInt(30),
  RATE_RELAY_REQUESTS_PER_IP_MINUTE: positiveInt(60),
  // Digital legacy (docs/legacy.md): API requests per client, new requests for access (each mails the owner) per
  // owner address and day, and how often each process looks for due reminders and releases.
  RATE_LEGACY_REQUESTS_PER_IP_MINUTE: positiveInt(30),
  RATE_LEGACY_ACCESS_REQUESTS_PER_ADDRESS_DAY: positiveInt(3),
  LEGACY_SWEEP_SECONDS: positiveInt(60),
});

export type Config = Readonly<
  Omit<z.output<typeof schema>, 'BASE_URL' | 'DATA_DIR'> & {
    /** Origin + path prefix every link is built from, without a trailing slash. Never taken from a request. */
    BASE_URL: string;
    /** Absolute. */
    DATA_DIR: string;
  }
>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid keyserver configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Rules between settings, read from the raw values so they are reported together with the schema's. */
function crossProblems(env: Record<string, string>): string[] {
  const problems: string[] = [];
  if (env.METRICS_HOST !== undefined && env.METRICS_PORT === undefined) {
    problems.push('METRICS_HOST: only used with METRICS_PORT; set both, or neither');
  }
  const port = Number(env.PORT ?? 8080);
  if (env.METRICS_PORT !== undefined && Number(env.METRICS_PORT) === port && port !== 0) {
    problems.push('METRICS_PORT: must differ from PORT (the metrics get a listener of their own)');
  }
  return problems;
}

export function loadConfig(env: Record<string, string | undefined>, cwd = process.cwd()): Config {
  // Empty strings count as unset: `FOO=` in an .env file means "use the default".
  const cleaned = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
  const parsed = schema.safeParse(cleaned);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`)),
    ...crossProblems(cleaned),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const c = parsed.data;
  const baseUrl = (c.BASE_URL ?? `http://${c.HOST.includes(':') ? `[${c.HOST}]` : c.HOST}:${c.PORT}`).replace(
    /\/+$/,
    '',
  );
  return Object.freeze({
    ...c,
    METRICS_HOST: c.METRICS_PORT === undefined ? undefined : (c.METRICS_HOST ?? '127.0.0.1'),
    WKD_DOMAINS: Object.freeze([...c.WKD_DOMAINS]) as string[],
    BASE_URL: baseUrl,
    DATA_DIR: isAbsolute(c.DATA_DIR) ? c.DATA_DIR : resolve(cwd, c.DATA_DIR),
  });
}
