import type { NextConfig } from 'next';
import { PHASE_PRODUCTION_BUILD } from 'next/constants';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  serverExternalPackages: ['mongodb', 'ioredis'],
  experimental: {
    serverActions: {
      // The config payload limit (256 KB) is enforced in the schema with a clear message;
      // the transport limit sits just above it so that message can be given.
      bodySizeLimit: '400kb',
    },
  },
};

// Importing the env validates it when a server starts, so a wrong variable fails at once with
// its name. `next build` needs no deployment behind it, so it skips the check.
export default async function config(phase: string): Promise<NextConfig> {
  if (phase !== PHASE_PRODUCTION_BUILD) await import('./lib/env');
  return nextConfig;
}
