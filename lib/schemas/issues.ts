import type { z } from 'zod';

/** Field errors keyed by dotted path (`urls.redirectUrls.2`); form-level errors under `_form`. */
export type FieldErrors = Record<string, string[]>;

export function flattenIssues(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.length ? issue.path.map(String).join('.') : '_form';
    (out[key] ??= []).push(issue.message);
  }
  return out;
}
