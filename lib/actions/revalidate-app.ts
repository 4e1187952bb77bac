import 'server-only';
import { revalidatePath } from 'next/cache';

/** A new version changes the apps list and every page of that app (overview, editor, history). */
export function revalidateApp(appId: string): void {
  revalidatePath('/apps');
  revalidatePath(`/apps/${appId}`, 'layout');
}
