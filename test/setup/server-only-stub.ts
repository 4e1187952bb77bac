// Vitest, the worker and the devstack run outside Next's bundler, where `server-only` would throw.
export {};
