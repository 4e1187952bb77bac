import 'server-only';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { requirePageUser } from '@/lib/session/current';
import { getAppForPrincipalOrThrow } from '@/lib/db/apps';
import { readHead } from '@/lib/db/heads';
import { NotFoundError } from '@/lib/errors';

/**
 * The signed-in user, the app and its head for every page under /apps/[appId], loaded once per
 * request (the layout and the page share it). A foreign or unknown app is a 404, like any
 * missing page. The head holds secrets: mask it before anything reaches a client component.
 */
export const loadApp = cache(async (appId: string) => {
  const principal = await requirePageUser();
  try {
    const app = await getAppForPrincipalOrThrow(principal, appId);
    const head = await readHead(app._id);
    return { principal, app, head };
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
});
