import type { Metadata } from 'next';
import Link from 'next/link';
import { NotPermitted } from '@/components/shell/not-permitted';
import { CreateTokenForm } from '@/components/tokens/create-token-form';
import { TokensTable } from '@/components/tokens/tokens-table';
import { buttonClasses } from '@/components/ui/button';
import { Card, CardBody, CardHeader, ErrorState } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageUser } from '@/lib/session/current';
import { can } from '@/lib/auth/principal';
import { listApiTokensPage } from '@/lib/db/api-tokens';
import { tokenCursorSchema } from '@/lib/schemas/api-token';

export const metadata: Metadata = { title: 'API tokens' };

const PAGE_SIZE = 100;

export default async function TokensPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requirePageUser();
  if (!can(user, 'tokens:manage') || !user.tenantId) {
    return (
      <NotPermitted title="API tokens">
        Only an admin of an account creates and revokes its API tokens.
      </NotPermitted>
    );
  }
  const { after: rawAfter } = await searchParams;
  const after = tokenCursorSchema.optional().safeParse(rawAfter);
  const { tokens, next, active } = await listApiTokensPage({
    tenantId: user.tenantId,
    after: after.success ? after.data : undefined,
    limit: PAGE_SIZE,
  });
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
          {!after.success && (
            <ErrorState title="That page link is broken">
              The newest tokens are shown instead.
            </ErrorState>
          )}
          <TokensTable tokens={tokens} />
          {(next || rawAfter) && (
            <nav
              aria-label="Token pages"
              className="flex justify-between border-t border-slate-200 px-5 py-3"
            >
              {rawAfter ? (
                <Link href="/tokens" className={buttonClasses('secondary', 'sm')}>
                  Newest tokens
                </Link>
              ) : (
                <span />
              )}
              {next && (
                <Link
                  href={`/tokens?after=${encodeURIComponent(next)}`}
                  className={buttonClasses('secondary', 'sm')}
                >
                  Older tokens
                </Link>
              )}
            </nav>
          )}
        </Card>
      </div>
    </>
  );
}
