import type { Metadata } from 'next';
import { AppsBreadcrumb } from '@/components/apps/apps-breadcrumb';
import { CreateAppForm } from '@/components/apps/create-app-form';
import { NotPermitted } from '@/components/shell/not-permitted';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { Select } from '@/components/ui/field';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageUser } from '@/lib/session/current';
import { can } from '@/lib/auth/principal';
import { getAppForPrincipalOrThrow, listAppOptions } from '@/lib/db/apps';
import { readHead } from '@/lib/db/heads';
import { NotFoundError } from '@/lib/errors';
import { appIdSchema } from '@/lib/schemas/app';
import { secretSlots } from '@/lib/secrets';
import type { SearchParams } from '@/lib/search-params';

export const metadata: Metadata = { title: 'New app' };

export default async function NewAppPage({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}) {
  const user = await requirePageUser();
  if (!can(user, 'apps:manage') || !user.tenantId) {
    return (
      <NotPermitted title="New app">
        Only an admin of an organisation creates its apps.
      </NotPermitted>
    );
  }
  const rawFrom = (await searchParams).from;
  const from = appIdSchema.safeParse(Array.isArray(rawFrom) ? rawFrom[0] : rawFrom);
  const options = await listAppOptions(user);

  // The source's secrets are never sent: only which ones exist, so the form can ask for each.
  let source: {
    id: string;
    name: string;
    version: number;
    slots: ReturnType<typeof secretSlots>;
  } | null = null;
  if (from.success) {
    try {
      const app = await getAppForPrincipalOrThrow(user, from.data);
      const head = await readHead(app._id);
      if (head)
        source = {
          id: app._id,
          name: app.name,
          version: head.version,
          slots: secretSlots(head.data),
        };
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }

  return (
    <>
      <PageHeader
        breadcrumb={<AppsBreadcrumb />}
        title="New app"
        description="An app is one sign-in configuration that your services read by its id. Version 1 is saved and sent to every region as soon as you create it."
      />
      <div className="space-y-6">
        <Card>
          <CardHeader
            title="Start from"
            description="The template has sensible defaults for a new sign-in. A copy takes another app’s configuration, except its secrets."
          />
          <CardBody>
            <form action="/apps/new" className="flex flex-wrap items-end gap-3">
              <div className="min-w-72 flex-1 space-y-1">
                <label htmlFor="new-app-from" className="block text-sm font-medium text-slate-800">
                  Configuration to start from
                </label>
                <Select id="new-app-from" name="from" defaultValue={source?.id ?? ''}>
                  <option value="">Template (recommended defaults)</option>
                  {options.map((o) => (
                    <option key={o.id} value={o.id}>
                      Copy of {o.name} ({o.id}){o.archived ? ' — archived' : ''}
                    </option>
                  ))}
                </Select>
              </div>
              <Button type="submit" variant="secondary">
                Use this
              </Button>
            </form>
          </CardBody>
        </Card>
        <Card>
          <CardHeader
            title={source ? `Copy of ${source.name}` : 'From the template'}
            description={
              source
                ? `Starts with the configuration of ${source.name} v${source.version}.`
                : 'Password sign-in, optional MFA, 12-character passwords; change anything after creating it.'
            }
          />
          <CardBody>
            <CreateAppForm
              key={source?.id ?? 'template'}
              copyFrom={source?.id ?? ''}
              sourceName={source?.name ?? null}
              secretSlots={source?.slots ?? []}
            />
          </CardBody>
        </Card>
      </div>
    </>
  );
}
