import type { NextConfig } from 'next';
import { PHASE_PRODUCTION_BUILD } from 'next/constants';
import { createAppEnv, loadCacheDeployments, loadCacheSealingKey } from './lib/env-spec';
import { MAX_BODY_KB, PROXY_BODY_COPY_KB } from './lib/request-limits';
import { staticSecurityHeaders } from './lib/security-headers';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  serverExternalPackages: ['mongodb', 'ioredis', 'pino', 'prom-client'],
  // Pages also get a per-request CSP from proxy.ts.
  headers: () => Promise.resolve([{ source: '/:path*', headers: [...staticSecurityHeaders] }]),
  experimental: {
    serverActions: {
      // The config payload limit (256 KB) is enforced in the schema with a clear message;
      // the transport limit sits just above it so that message can be given.
      bodySizeLimit: `${MAX_BODY_KB}kb`,
    },
    // The proxy (proxy.ts) gets a copy of a page request's body; never more than this is kept,
    // and just enough to tell a chunked body over MAX_BODY_KB (lib/request-limits.ts).
    proxyClientMaxBodySize: `${PROXY_BODY_COPY_KB}kb`,
  },
};

// A server validates the env as it starts, so a wrong variable fails at once with its name;
// `next build` needs no deployment behind it.
export default function config(phase: string): NextConfig {
  if (phase !== PHASE_PRODUCTION_BUILD) {
    const env = createAppEnv({ skipValidation: false });
    loadCacheDeployments(env);
    loadCacheSealingKey(env);
  }
  return nextConfig;
}
