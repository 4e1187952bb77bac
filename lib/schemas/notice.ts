import { z } from 'zod';

/**
 * A short message carried across a redirect (an action's outcome, shown on the page it went
 * to). It travels in a cookie, so the page parses it like any other input.
 */
export const noticeSchema = z.object({
  message: z.string().min(1).max(300),
  tone: z.enum(['success', 'info']),
});
export type Notice = z.output<typeof noticeSchema>;
