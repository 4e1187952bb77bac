import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** Child processes of a run, stopped together: SIGTERM first, SIGKILL for whatever lingers. */
export class ProcessGroup {
  private readonly children: { name: string; child: ChildProcess }[] = [];

  start(
    name: string,
    command: string,
    args: string[],
    options: SpawnOptions & { quiet?: boolean } = {},
  ): ChildProcess {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    const prefix = `[${name}] `;
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        if (options.quiet) return;
        for (const line of chunk.toString().split('\n'))
          if (line.trim()) process.stdout.write(prefix + line + '\n');
      });
    }
    this.children.push({ name, child });
    return child;
  }

  async stopAll(timeoutMs = 8_000): Promise<void> {
    const alive = this.children.filter(
      ({ child }) => child.exitCode === null && child.signalCode === null,
    );
    await Promise.all(
      alive.reverse().map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              child.kill('SIGKILL');
              resolve();
            }, timeoutMs);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}

/** Runs a command to completion, streaming its output; rejects with its exit code. */
export function run(command: string, args: string[], options: SpawnOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}`)),
    );
  });
}

export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}
