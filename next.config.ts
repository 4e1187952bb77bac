import type { NextConfig } from 'next';
// Importing the env validates it when the server starts (skipped while `next build` runs).
import './lib/env';

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

export default nextConfig;
