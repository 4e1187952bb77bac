// `npm run demo`: the product on this machine, from a fresh clone. Plain Node with no
// dependencies, because its first job is to install them.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

function step(title) {
  console.log(`\n▶ ${title}`);
}

const lock = 'package-lock.json';
const installed = 'node_modules/.package-lock.json';
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  step('installing npm dependencies (npm ci)');
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (npm.status !== 0) process.exit(npm.status ?? 1);
}

const redis = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
if (redis.error) {
  console.error(
    '\nredis-server is not installed. It comes from Debian and needs root:\n' +
      '  sudo apt-get install -y redis-server\n' +
      '(Only the binary is used; the demo starts its own servers on free ports and never touches port 6379.)',
  );
  process.exit(1);
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', 'scripts/demo.ts', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
// Ctrl-C reaches the whole foreground process group; demo.ts does the orderly shutdown.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code) => process.exit(code ?? 0));
