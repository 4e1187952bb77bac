import { defineApiRoute } from '@/lib/api/define-route';
import { operations } from '@/lib/api/operations';
import { getAppForPrincipalOrThrow, summarizeApp } from '@/lib/db/apps';

export const dynamic = 'force-dynamic';

export const GET = defineApiRoute(operations.getApp, async ({ principal, params }) =>
  summarizeApp(await getAppForPrincipalOrThrow(principal, params.appId)),
);
