import Link from 'next/link';

/** The way back to the apps list, above every page about one app. */
export function AppsBreadcrumb() {
  return (
    <Link href="/apps" className="hover:text-slate-800 hover:underline">
      Apps
    </Link>
  );
}
