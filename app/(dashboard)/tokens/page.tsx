import type { Metadata } from 'next';
import { NotPermitted } from '@/components/shell/not-permitted';
import { CreateTokenForm } from '@/components/tokens/create-token-form';
import { TokensTable } from '@/components/tokens/tokens-table';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageUser } from '@/lib/session/current';
import { can } from '@/lib/auth/principal';
import { listApiTokens } from '@/lib/db/api-tokens';

export const metadata: Metadata = { title: 'API tokens' };

export default async function TokensPage() {
  const user = await requirePageUser();
  if (!can(user, 'tokens:manage') || !user.tenantId) {
    return (
      <NotPermitted title="API tokens">
        Only an admin of an account creates and revokes its API tokens.
      </NotPermitted>
    );
  }
  const tokens = await listApiTokens({ tenantId: user.tenantId });
  const active = tokens.filter((t) => !t.revokedAt).length;
  return (
    <>
      <PageHeader
        title="API tokens"
        description="Tokens let automation, such as deploy pipelines, save configuration or wait for it to reach every region without a person’s password. Each belongs to this account only."
      />
      <div className="space-y-6">
        <Card>
          <CardHeader title="Create a token" />
          <CardBody>
            <CreateTokenForm />
          </CardBody>
        </Card>
        <Card>
          <CardHeader
            title="Tokens"
            description={`${active} active · revoked tokens stay listed so you can see what was cut off`}
          />
          <TokensTable tokens={tokens} />
        </Card>
      </div>
    </>
  );
}
