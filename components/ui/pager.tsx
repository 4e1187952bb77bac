import Link from 'next/link';
import { buttonClasses } from '@/components/ui/button';

/** "21–40 of 312 apps" with previous/next links; pages are server-rendered URLs. */
export function Pager({
  page,
  pageCount,
  total,
  pageSize = 25,
  noun,
  href,
}: {
  page: number;
  pageCount: number;
  total: number;
  pageSize?: number;
  noun: string;
  href: (page: number) => string;
}) {
  const first = (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  const disabled = `${buttonClasses('secondary', 'sm')} pointer-events-none opacity-50`;
  return (
    <nav
      aria-label="Pages"
      className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 px-5 py-3 text-sm text-slate-600"
    >
      <p>
        {first}–{last} of {total} {noun}
        {total === 1 ? '' : 's'}
        {pageCount > 1 && (
          <span className="text-slate-400">
            {' '}
            · page {page} of {pageCount}
          </span>
        )}
      </p>
      {pageCount > 1 && (
        <div className="flex gap-2">
          {page > 1 ? (
            <Link href={href(page - 1)} className={buttonClasses('secondary', 'sm')} rel="prev">
              Previous
            </Link>
          ) : (
            <span aria-disabled className={disabled}>
              Previous
            </span>
          )}
          {page < pageCount ? (
            <Link href={href(page + 1)} className={buttonClasses('secondary', 'sm')} rel="next">
              Next
            </Link>
          ) : (
            <span aria-disabled className={disabled}>
              Next
            </span>
          )}
        </div>
      )}
    </nav>
  );
}
