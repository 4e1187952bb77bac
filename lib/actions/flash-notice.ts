import 'server-only';
import { cookies } from 'next/headers';
import { env } from '@/lib/env';
import { noticeSchema, type Notice } from '@/lib/schemas/notice';

/** Read by the page's FlashNotice, which clears it once shown. */
export const NOTICE_COOKIE = 'propagate_notice';

/**
 * Carries an action's outcome across its redirect to the page that shows it. The cookie is
 * scoped to that page's path and short-lived, so it is shown once, on that page only.
 */
export async function flashNotice(path: string, notice: Notice): Promise<void> {
  (await cookies()).set(NOTICE_COOKIE, JSON.stringify(notice), {
    path,
    maxAge: 60,
    sameSite: 'lax',
    secure: env.NODE_ENV === 'production',
    // The page's client component deletes it after showing it.
    httpOnly: false,
  });
}

/** The notice waiting for this request's page, if any; anything malformed is ignored. */
export async function readNotice(): Promise<Notice | null> {
  const raw = (await cookies()).get(NOTICE_COOKIE)?.value;
  if (!raw) return null;
  try {
    const parsed = noticeSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
