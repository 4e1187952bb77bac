import { describe, expect, it } from 'vitest';
import { captureLogs, log } from './log';
import { LOG_LEVELS, parseLogLevel } from './log-level';

describe('LOG_LEVEL', () => {
  it('takes every pino level and silent; unset or empty is info', () => {
    for (const level of LOG_LEVELS) expect(parseLogLevel(level)).toBe(level);
    expect(parseLogLevel(undefined)).toBe('info');
    expect(parseLogLevel('')).toBe('info');
  });

  it('refuses anything else with the variable and the levels it takes', () => {
    for (const wrong of ['verbose', 'INFO', 'warning', '30'])
      expect(() => parseLogLevel(wrong)).toThrow(
        `Invalid environment variable LOG_LEVEL=${JSON.stringify(wrong)}: must be one of trace, debug, info, warn, error, fatal, silent`,
      );
  });
});

describe('captureLogs', () => {
  it('captures at the level asked for, child loggers included, and restores the level after', () => {
    const before = log.level;
    log.level = 'warn';
    const child = log.child({ component: 'capture-test' });
    const lines: string[] = [];
    try {
      const restore = captureLogs((line) => lines.push(line), { level: 'info' });
      child.info('seen at info');
      child.debug('below the capture level');
      restore();
      expect(log.level).toBe('warn');
      const restoreQuiet = captureLogs((line) => lines.push(line));
      child.info('below warn, not written');
      child.warn('seen at warn');
      restoreQuiet();
    } finally {
      log.level = before;
    }
    expect(lines.map((l) => (JSON.parse(l) as { msg: string; component: string }).msg)).toEqual([
      'seen at info',
      'seen at warn',
    ]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', component: 'capture-test' });
  });
});
