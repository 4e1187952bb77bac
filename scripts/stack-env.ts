import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readEnvFile } from '../devstack/stack';

/**
 * The environment a process of ours needs to run against a devstack: the endpoints the stack
 * wrote, plus a session secret kept beside them (random per stack, stable across restarts so
 * sign-ins survive a server restart, never committed).
 */
export function stackEnv(dir: string): Record<string, string> {
  const env = readEnvFile(dir);
  const secretFile = path.join(path.resolve(dir), 'session-secret');
  if (!existsSync(secretFile))
    writeFileSync(secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  env.SESSION_SECRET = readFileSync(secretFile, 'utf8').trim();
  return env;
}

/**
 * The test suites' processes log at warn: every request's info line, times thousands, buries a
 * failure in CI output. A LOG_LEVEL given by hand wins (to read one test's info lines).
 */
export function testLogEnv(): { LOG_LEVEL: string } {
  return { LOG_LEVEL: process.env.LOG_LEVEL || 'warn' };
}
