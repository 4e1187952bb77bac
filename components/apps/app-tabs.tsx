'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@/lib/cn';

/** Overview · Edit · History: links (each is a page), marked current for screen readers too. */
export function AppTabs({ appId, canEdit }: { appId: string; canEdit: boolean }) {
  const pathname = usePathname();
  const base = `/apps/${appId}`;
  const tabs = [
    { href: base, label: 'Overview', active: pathname === base },
    {
      href: `${base}/edit`,
      label: canEdit ? 'Edit' : 'Configuration',
      active: pathname === `${base}/edit`,
    },
    { href: `${base}/history`, label: 'History', active: pathname.startsWith(`${base}/history`) },
  ];
  return (
    <nav aria-label="App" className="mb-6 border-b border-slate-200">
      <ul className="-mb-px flex gap-6">
        {tabs.map((tab) => (
          <li key={tab.href}>
            <Link
              href={tab.href}
              aria-current={tab.active ? 'page' : undefined}
              className={cn(
                'inline-block border-b-2 px-1 pb-3 text-sm font-medium',
                tab.active
                  ? 'border-brand-600 text-brand-700'
                  : 'border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900',
              )}
            >
              {tab.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
