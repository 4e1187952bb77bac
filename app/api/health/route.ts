import { NextResponse } from 'next/server';

// Liveness only: Playwright's webServer and the demo wait on it. Region health is /regions.
export function GET() {
  return NextResponse.json({ ok: true }, { headers: { 'cache-control': 'no-store' } });
}
