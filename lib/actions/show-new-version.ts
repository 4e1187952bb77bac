import 'server-only';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { flashNotice } from '@/lib/actions/flash-notice';
import type { CommittedVersion } from '@/lib/versions/commit-next-version';

/**
 * After a save or rollback: refresh what a new version changes (the apps list and every page
 * of the app) and go to the app page with the outcome as a notice. Redirecting from the action
 * answers the form and the navigation in one response, so no client-side navigation can race
 * the action's own revalidation.
 */
export async function showNewVersion({
  data: { appId, pushed },
  message,
}: {
  data: CommittedVersion;
  message: string;
}): Promise<never> {
  revalidatePath('/apps');
  revalidatePath(`/apps/${appId}`, 'layout');
  const page = `/apps/${appId}`;
  await flashNotice(page, { message, tone: pushed ? 'success' : 'info' });
  redirect(page);
}
