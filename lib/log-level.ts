import { z } from 'zod';

/**
 * The levels `LOG_LEVEL` takes, most verbose first; `silent` writes nothing. Pure, so the logger
 * (which sits below the env: everything logs) and the env's schema share it.
 */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const logLevel = z
  .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })
  .default('info');

/** The level a raw `LOG_LEVEL` names (unset or empty: info); a wrong one throws with its name. */
export function parseLogLevel(raw: string | undefined): LogLevel {
  const parsed = logLevel.safeParse(raw === '' ? undefined : raw);
  if (!parsed.success)
    throw new Error(
      `Invalid environment variable LOG_LEVEL=${JSON.stringify(raw)}: ${parsed.error.issues[0]?.message}`,
    );
  return parsed.data;
}
