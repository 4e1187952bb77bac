import Link from 'next/link';
import type { ReactNode } from 'react';
import { NavLink } from '@/components/shell/nav-link';
import { can } from '@/lib/auth/principal';
import { roleLabels } from '@/lib/auth/roles';
import { requirePageUser } from '@/lib/session/current';
import { signOut } from '@/lib/actions/sign-in';

export const dynamic = 'force-dynamic';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await requirePageUser();
  return (
    <div className="min-h-screen">
      <header className="bg-slate-900">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3 sm:px-6">
          <span className="text-base font-semibold tracking-tight text-white">Propagate</span>
          <nav aria-label="Main" className="flex flex-1 flex-wrap items-center gap-1">
            <NavLink href="/apps">Apps</NavLink>
            {can(user, 'fleet:read') && <NavLink href="/fleet">Fleet</NavLink>}
            <NavLink href="/regions">Regions</NavLink>
            {can(user, 'deployments:read') && <NavLink href="/migration">Cache migration</NavLink>}
            {can(user, 'audit:read') && <NavLink href="/audit">Audit log</NavLink>}
            {can(user, 'tokens:manage') && <NavLink href="/tokens">API tokens</NavLink>}
            {can(user, 'webhooks:manage') && <NavLink href="/webhooks">Webhooks</NavLink>}
            {can(user, 'users:read') && <NavLink href="/users">Users</NavLink>}
            <NavLink href="/api-reference">API</NavLink>
          </nav>
          <div className="flex items-center gap-3 text-sm">
            <Link
              href="/account"
              aria-label="Your account"
              className="text-slate-300 hover:text-white hover:underline"
            >
              {user.name} <span className="text-slate-500">·</span>{' '}
              <span className="text-slate-400">
                {roleLabels[user.role]}
                {user.tenantId ? ` at ${user.tenantId}` : ', all tenants'}
              </span>
            </Link>
            <form action={signOut}>
              <button
                type="submit"
                className="rounded-md px-2 py-1 text-slate-300 hover:bg-slate-800 hover:text-white"
              >
                Sign out
              </button>
            </form>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-8 sm:px-6">{children}</main>
    </div>
  );
}
