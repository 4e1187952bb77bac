'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/**
 * Re-reads the server-rendered delivery log while the page is visible: often while deliveries
 * are in flight, now and then otherwise (new events arrive without anyone clicking).
 */
export function AutoRefresh({ busy }: { busy: boolean }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(
      () => {
        if (document.visibilityState === 'visible') router.refresh();
      },
      busy ? 1_500 : 5_000,
    );
    return () => clearInterval(timer);
  }, [busy, router]);
  return null;
}
