'use client';

import { useEffect, useState } from 'react';
import { exactTime, timeAgo } from '@/lib/format-time';

/** A relative time that keeps itself current; the exact UTC time is in the title. */
export function TimeAgo({ date }: { date: Date | string | number }) {
  const at = new Date(date).getTime();
  const [now, setNow] = useState<number | null>(null);
  // A new date restarts the clock: a time newer than the last tick would read "in 6 seconds".
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, [at]);
  // Until hydrated, render the absolute time: server and browser clocks must not disagree in markup.
  return (
    <time dateTime={new Date(at).toISOString()} title={exactTime(at)}>
      {now === null ? exactTime(at) : timeAgo(at, now)}
    </time>
  );
}

/** When something last happened, or a muted "Never" if it has not yet. */
export function TimeAgoOrNever({ date }: { date: Date | string | number | null | undefined }) {
  return date ? <TimeAgo date={date} /> : <span className="text-slate-500">Never</span>;
}
