/**
 * Validates what a config client wrote to the primary (lib/contract/report-layout.ts).
 * Reports come from services, not from Propagate: anything malformed is dropped, never shown.
 */
import { z } from 'zod';
import { INSTANCE_ID_PATTERN } from '@/lib/contract/report-layout';
import { deploymentName, regionName } from '@/lib/model/deployment-spec';

const ms = z.number().int().nonnegative();

export const instanceReportSchema = z.strictObject({
  instanceId: z.string().regex(INSTANCE_ID_PATTERN),
  region: regionName,
  appId: z.string().min(1).max(64),
  version: z.number().int().positive(),
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
  appliedAt: ms,
  stalenessMs: ms,
  reportedAt: ms,
  intervalMs: z.number().int().min(100).max(3_600_000),
  deployment: deploymentName.optional(),
  archived: z.literal(true).optional(),
});

export type ValidInstanceReport = z.infer<typeof instanceReportSchema>;

/** Parses one stored report for `appId`; null for junk or a report about another app. */
export function parseInstanceReport(raw: string | null, appId: string): ValidInstanceReport | null {
  if (raw === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = instanceReportSchema.safeParse(json);
  return parsed.success && parsed.data.appId === appId ? parsed.data : null;
}
