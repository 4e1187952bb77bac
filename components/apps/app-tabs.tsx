'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { tabClasses } from '@/components/ui/tab-classes';

/** Overview · Edit · History · Settings: links (each is a page), marked current for screen readers too. */
export function AppTabs({
  appId,
  canEdit,
  canManage,
}: {
  appId: string;
  canEdit: boolean;
  canManage: boolean;
}) {
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
    ...(canManage
      ? [{ href: `${base}/settings`, label: 'Settings', active: pathname === `${base}/settings` }]
      : []),
  ];
  return (
    <nav aria-label="App" className="mb-6 border-b border-slate-200">
      <ul className="-mb-px flex gap-6">
        {tabs.map((tab) => (
          <li key={tab.href}>
            <Link
              href={tab.href}
              aria-current={tab.active ? 'page' : undefined}
              className={tabClasses(tab.active)}
            >
              {tab.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
