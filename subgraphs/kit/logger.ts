// JSON logs (pino). Never log a token, a variable value or personal data: operation names,
// hashes, ids of our own objects and error codes only.
import { pino } from 'pino';

export function createLogger(name: string) {
  return pino({
    name,
    level: process.env.LOG_LEVEL ?? 'info',
    redact: { paths: ['req.headers.authorization', '*.authorization', '*.token', '*.variables'], censor: '[redacted]' },
  });
}

export type Logger = ReturnType<typeof createLogger>;
