import pino, { type Logger } from 'pino';

/**
 * Structured logs. Secrets never reach a log line: tokens, passphrases and whole keys are redacted by path as a
 * second line of defence; code logs fingerprints and addresses, never key material.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['token', '*.token', 'keytext', '*.keytext', 'passphrase', '*.passphrase', 'req.headers.cookie'],
      censor: '[redacted]',
    },
  });
}
