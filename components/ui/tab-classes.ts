import { cn } from '@/lib/cn';

/** An underlined tab link (page tabs, list filters); `current` marks the selected one. */
export function tabClasses(current: boolean): string {
  return cn(
    'inline-block border-b-2 px-1 pb-3 text-sm font-medium',
    current
      ? 'border-brand-600 text-brand-700'
      : 'border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900',
  );
}
