/** Joins class names, skipping falsy ones (conditional Tailwind classes read better this way). */
export function cn(...classes: (string | false | null | undefined)[]): string {
  return classes.filter(Boolean).join(' ');
}
