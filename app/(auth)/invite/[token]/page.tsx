import type { Metadata } from 'next';
import Link from 'next/link';
import { AcceptInvitationForm } from '@/components/users/accept-invitation-form';
import { getTenant } from '@/lib/db/tenants';
import { tenantRoleLabels } from '@/lib/schemas/users';
import { checkInvitation } from '@/lib/users/accept-invitation';

export const metadata: Metadata = { title: 'Accept invitation' };
export const dynamic = 'force-dynamic';

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const state = await checkInvitation(token.slice(0, 200));
  const tenant = state.usable ? await getTenant(state.invitation.tenantId) : null;
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-md">
        <div className="mb-6 text-center">
          <p className="text-2xl font-semibold tracking-tight text-slate-900">Propagate</p>
          <p className="mt-1 text-sm text-slate-500">Join your team’s apps configuration.</p>
        </div>
        <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          {state.usable ? (
            <>
              <h1 className="text-lg font-semibold text-slate-900">
                You’re invited to {tenant?.name ?? state.invitation.tenantId}
              </h1>
              <p className="mt-1 text-sm text-slate-600">
                As <strong>{tenantRoleLabels[state.invitation.role]}</strong> (
                {state.invitation.role === 'admin'
                  ? 'edits apps and manages the team'
                  : 'sees apps and their history, changes nothing'}
                ), signing in as <strong>{state.invitation.email}</strong>. Choose your name and a
                password to finish.
              </p>
              <div className="mt-5">
                <AcceptInvitationForm token={token} />
              </div>
            </>
          ) : (
            <div role="alert">
              <h1 className="text-lg font-semibold text-slate-900">This link cannot be used</h1>
              <p className="mt-1 text-sm text-slate-600">{state.reason}</p>
              <Link href="/sign-in" className="mt-4 inline-block text-sm text-brand-700 underline">
                Go to sign-in
              </Link>
            </div>
          )}
        </div>
      </div>
    </main>
  );
}
