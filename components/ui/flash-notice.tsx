'use client';

import { useEffect } from 'react';
import { useToast } from '@/components/ui/toast';
import type { Notice } from '@/lib/schemas/notice';

/**
 * Shows a notice that an action carried across its redirect (see lib/actions/flash-notice.ts),
 * then deletes its cookie. A page restored from the router cache renders the same notice
 * again; the cookie being gone is what says it was already shown.
 */
export function FlashNotice({
  notice,
  cookie,
}: {
  notice: Notice | null;
  cookie: { name: string; path: string };
}) {
  const toast = useToast();
  useEffect(() => {
    if (!notice || !document.cookie.split('; ').some((c) => c.startsWith(`${cookie.name}=`))) {
      return;
    }
    document.cookie = `${cookie.name}=; Max-Age=0; path=${cookie.path}`;
    toast(notice.message, notice.tone);
  }, [notice, cookie.name, cookie.path, toast]);
  return null;
}
