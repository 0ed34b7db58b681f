import pino from 'pino';

export type Logger = pino.Logger;

/**
 * JSON logs on stdout, one object per line, with the service name on every line. Request and
 * event handlers log through `logger.child({ correlationId })` so one saga can be followed across
 * services with a grep on its order id.
 */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Defense in depth: whatever a handler logs, these never reach the output.
    redact: {
      paths: ['password', '*.password', 'headers.authorization', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  });
}
