import { describe, expect, it } from 'vitest';
import { APP_ID_PATTERN } from '@/lib/schemas/app';
import { configSchema } from '@/lib/schemas/config';
import { secretWeakness } from '@/lib/schemas/secret-strength';
import { secretValues } from '@/lib/secrets';
import { DEMO_SECRETS, DEMO_TENANTS, demoApps } from '@/lib/seed/demo-configs';

describe('demo data', () => {
  it.each(demoApps())('$id has a valid configuration', (app) => {
    const parsed = configSchema.safeParse(app.config);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    expect(app.id).toMatch(APP_ID_PATTERN);
    expect(DEMO_TENANTS.map((t) => t.id)).toContain(app.tenantId);
  });

  it('uses every demo secret exactly once', () => {
    const used = demoApps().flatMap((a) => secretValues(a.config));
    expect(used.sort()).toEqual(Object.values(DEMO_SECRETS).sort());
  });

  it('uses only secrets a save would accept as new', () => {
    const weak = Object.entries(DEMO_SECRETS).filter(([, v]) => secretWeakness(v));
    expect(weak).toEqual([]);
  });
});
