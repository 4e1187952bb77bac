import 'server-only';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import type { Principal } from '@/lib/auth/principal';
import { currentPrincipal } from '@/lib/session/session';

/** For server components: the signed-in principal, or a redirect to sign-in. Cached per request. */
export const requirePageUser = cache(async (): Promise<Principal> => {
  const principal = await currentPrincipal();
  if (!principal) redirect('/sign-in');
  return principal;
});
