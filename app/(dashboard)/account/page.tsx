import type { Metadata } from 'next';
import { ChangePasswordForm } from '@/components/users/change-password-form';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { signOut, signOutEverywhere } from '@/lib/actions/sign-in';
import { requirePageUser } from '@/lib/session/current';
import { roleLabels } from '@/lib/auth/roles';
import { countLiveSessions } from '@/lib/db/sessions';

export const metadata: Metadata = { title: 'Your account' };

export default async function AccountPage() {
  const user = await requirePageUser();
  const sessions = (await countLiveSessions([user.id])).get(user.id) ?? 1;
  return (
    <>
      <PageHeader
        title="Your account"
        description={`${user.email ?? user.name} · ${roleLabels[user.role]}${user.tenantId ? ` at ${user.tenantId}` : ''}`}
      />
      <div className="space-y-6">
        <Card>
          <CardHeader
            title="Change your password"
            description="You stay signed in here; every other browser signed in as you is signed out."
          />
          <CardBody>
            <ChangePasswordForm />
          </CardBody>
        </Card>
        <Card>
          <CardHeader
            title="Sessions"
            description={`You are signed in on ${sessions} browser${sessions === 1 ? '' : 's'}.`}
          />
          <CardBody className="flex flex-wrap gap-3">
            <form action={signOut}>
              <Button type="submit" variant="secondary">
                Sign out of this browser
              </Button>
            </form>
            <form action={signOutEverywhere}>
              <Button type="submit" variant="danger">
                Sign out everywhere
              </Button>
            </form>
          </CardBody>
        </Card>
      </div>
    </>
  );
}
