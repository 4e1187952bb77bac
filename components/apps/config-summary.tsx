import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { formatValue } from '@/components/config-diff/format-value';
import { fieldLabel } from '@/lib/config-diff';
import type { MaskedConfig } from '@/lib/secrets';

interface Row {
  path: string;
  value: unknown;
}

/** Items of these lists are shown by their identity, like the diffs and the editor do. */
const identityKey = (item: Record<string, unknown>) =>
  ['provider', 'id', 'name'].map((k) => item[k]).find((v): v is string => typeof v === 'string');

function flatten(value: unknown, path: string, rows: Row[]) {
  if (Array.isArray(value) && value.some((v) => typeof v === 'object' && v !== null)) {
    value.forEach((item: Record<string, unknown>, i) => {
      const id = identityKey(item);
      // The item's label already names it ("Google › Client ID"): no row for the name itself.
      const { provider: _p, id: _i, name: _n, ...rest } = item;
      flatten(id === undefined ? item : rest, `${path}.${id ?? i}`, rows);
    });
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, `${path}.${key}`, rows);
  } else {
    rows.push({ path, value });
  }
}

/** The label without its section name, which the heading already says. */
function rowLabel(path: string): string {
  const parts = fieldLabel(path).split(' › ');
  return parts.length > 1 ? parts.slice(1).join(' › ') : (parts[0] ?? path);
}

const sections: { key: keyof MaskedConfig; title: string }[] = [
  { key: 'signIn', title: 'Sign-in methods' },
  { key: 'mfa', title: 'Multi-factor authentication' },
  { key: 'passwordPolicy', title: 'Password policy' },
  { key: 'sessions', title: 'Sessions and tokens' },
  { key: 'urls', title: 'URLs' },
  { key: 'rateLimits', title: 'Rate limits and lockout' },
  { key: 'registration', title: 'Registration' },
  { key: 'branding', title: 'Branding' },
  { key: 'webhooks', title: 'Webhooks' },
  { key: 'features', title: 'Features' },
];

/** A read-only view of a (masked) configuration, section by section. */
export function ConfigSummary({
  config,
  title = 'Current configuration',
  description,
}: {
  config: MaskedConfig;
  title?: string;
  description?: string;
}) {
  return (
    <Card>
      <CardHeader title={title} description={description ?? 'Secrets are never shown.'} />
      <CardBody className="grid gap-x-8 gap-y-6 md:grid-cols-2">
        {sections.map(({ key, title: sectionTitle }) => {
          const rows: Row[] = [];
          flatten(config[key], key, rows);
          return (
            <section key={key} aria-labelledby={`summary-${key}`}>
              <h3 id={`summary-${key}`} className="text-sm font-semibold text-slate-900">
                {sectionTitle}
              </h3>
              {key === 'branding' && (
                <div className="mt-2 flex items-center gap-2 text-xs text-slate-500">
                  <span
                    aria-hidden
                    className="size-4 rounded ring-1 ring-slate-300"
                    style={{ backgroundColor: config.branding.primaryColor }}
                  />
                  Primary colour preview
                </div>
              )}
              <dl className="mt-2 divide-y divide-slate-100 text-sm">
                {rows.map((row) => (
                  <div
                    key={row.path}
                    className="grid grid-cols-[minmax(0,1fr)_minmax(0,1fr)] gap-3 py-1.5"
                  >
                    <dt className="text-slate-500">{rowLabel(row.path)}</dt>
                    <dd className="break-words text-slate-900">
                      {formatValue(row.path, row.value)}
                    </dd>
                  </div>
                ))}
              </dl>
            </section>
          );
        })}
      </CardBody>
    </Card>
  );
}
