/** What a command wrote and returned. */
export interface CapturedRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command in `cwd` with `process.stdout`/`stderr` writes captured (commands write there
 * directly, as a CLI does), then restores both and the working directory.
 */
export async function captureOutput(run: () => Promise<number>, cwd: string): Promise<CapturedRun> {
  const previous = process.cwd();
  const out = process.stdout.write;
  const err = process.stderr.write;
  let stdout = '';
  let stderr = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  process.chdir(cwd);
  try {
    const code = await run();
    return { code, stdout, stderr };
  } finally {
    process.chdir(previous);
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
