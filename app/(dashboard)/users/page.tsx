import type { Metadata } from 'next';
import Link from 'next/link';
import { NotPermitted } from '@/components/shell/not-permitted';
import { InvitationsTable } from '@/components/users/invitations-table';
import { InviteUserForm } from '@/components/users/invite-user-form';
import { UsersTable, type UserRow } from '@/components/users/users-table';
import { Card, CardBody, CardHeader, EmptyState } from '@/components/ui/card';
import { Pager } from '@/components/ui/pager';
import { SearchForm } from '@/components/ui/search-form';
import { PageHeader } from '@/components/ui/page-header';
import { requirePageUser } from '@/lib/session/current';
import { can } from '@/lib/auth/principal';
import { listInvitations } from '@/lib/db/invitations';
import { countLiveSessions } from '@/lib/db/sessions';
import { searchUsersPage } from '@/lib/db/users';
import { usersListHref, usersListQuerySchema } from '@/lib/schemas/users';
import { firstValues, type SearchParams } from '@/lib/search-params';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requirePageUser();
  const query = usersListQuerySchema.parse(firstValues(await searchParams));
  if (!can(user, 'users:read')) {
    return (
      <NotPermitted title="Users">
        Only an admin of an organisation sees and manages its users.
      </NotPermitted>
    );
  }
  const manages = can(user, 'users:manage') && user.tenantId !== null;
  const [list, invitations] = await Promise.all([
    searchUsersPage({
      ...(user.tenantId ? { tenantId: user.tenantId } : {}),
      query: query.q,
      page: query.page,
    }),
    user.tenantId && manages ? listInvitations(user.tenantId) : Promise.resolve([]),
  ]);
  const sessions = await countLiveSessions(list.users.map((u) => u._id));
  const rows: UserRow[] = list.users.map((u) => ({
    id: u._id,
    name: u.name,
    email: u.email,
    role: u.role,
    tenantId: u.tenantId,
    disabled: u.disabled,
    lastSignInAt: u.lastSignInAt ?? null,
    activeSessions: sessions.get(u._id) ?? 0,
  }));
  const now = Date.now();
  const pending = invitations
    .filter((i) => !i.acceptedAt && !i.revokedAt && i.expiresAt.getTime() > now)
    .map((i) => ({
      id: i._id,
      email: i.email,
      role: i.role,
      createdAt: i.createdAt,
      expiresAt: i.expiresAt,
      by: i.createdBy.name,
    }));
  return (
    <>
      <PageHeader
        title="Users"
        description={
          manages
            ? 'Who can sign in to this organisation’s Propagate, and what each may do. Admins edit apps and manage the team; viewers see everything and change nothing.'
            : 'Every organisation’s users, read-only.'
        }
      />
      <div className="space-y-6">
        {manages && (
          <Card>
            <CardHeader
              title="Invite someone"
              description="Propagate sends no email: you get a link to pass on. It works once and expires after 72 hours."
            />
            <CardBody>
              <InviteUserForm />
            </CardBody>
          </Card>
        )}
        {manages && pending.length > 0 && (
          <Card>
            <CardHeader
              title="Pending invitations"
              description="Revoke one to make its link stop working."
            />
            <InvitationsTable invitations={pending} />
          </Card>
        )}
        <Card>
          <CardHeader
            title="People"
            description="Disabled users cannot sign in; what they did stays in the history and the audit log."
          />
          <CardBody className="border-b border-slate-200">
            <SearchForm
              id="users-q"
              action="/users"
              label="Find people"
              hint="Email or name"
              defaultValue={query.q}
            />
          </CardBody>
          {rows.length === 0 ? (
            <EmptyState title={query.q ? `Nobody matches “${query.q}”` : 'No users yet'}>
              {query.q && (
                <Link href="/users" className="text-brand-700 underline">
                  Clear the search
                </Link>
              )}
            </EmptyState>
          ) : (
            <UsersTable
              users={rows}
              selfId={user.id}
              manages={manages}
              showTenant={!user.tenantId}
            />
          )}
          {list.total > 0 && (
            <Pager
              page={list.page}
              pageCount={list.pageCount}
              total={list.total}
              noun={query.q ? 'matching user' : 'user'}
              href={(page) => usersListHref({ ...query, page })}
            />
          )}
        </Card>
      </div>
    </>
  );
}
