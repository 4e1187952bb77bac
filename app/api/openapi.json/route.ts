import { NextResponse } from 'next/server';
import { buildOpenApiDocument } from '@/lib/api/openapi';

// Public like the reference page: the contract hides nothing a token could not already see.
const document = buildOpenApiDocument();

export function GET() {
  return NextResponse.json(document, { headers: { 'cache-control': 'public, max-age=300' } });
}
