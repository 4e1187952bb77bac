import { NextResponse } from 'next/server';
import { env } from '@/lib/env';

// Liveness only: Playwright's webServer and the demo wait on it. Region health is /api/regions.
// `devstack` lets the e2e guard refuse to run against anything but a local devstack.
export function GET() {
  return NextResponse.json(
    { ok: true, devstack: Boolean(env.PROPAGATE_DEVSTACK_DIR) },
    { headers: { 'cache-control': 'no-store' } },
  );
}
