import 'server-only';

/** A case-insensitive "contains" condition for what a person typed (never a pattern of theirs). */
export function containsText(text: string): { $regex: string; $options: 'i' } {
  return { $regex: text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), $options: 'i' };
}
