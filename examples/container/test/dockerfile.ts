import { readFile } from 'node:fs/promises';

/** One Dockerfile instruction: its keyword (upper case) and its arguments as written. */
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/**
 * The instructions of a Dockerfile: comments and blank lines dropped, `\` continuations joined.
 * Enough for the files in this repository (no heredocs, no parser directives other than comments).
 */
export async function readDockerfile(path: string): Promise<Instruction[]> {
  const text = await readFile(path, 'utf8');
  const instructions: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const whole = pending + line;
    pending = '';
    const match = /^(\S+)\s+(.*)$/.exec(whole);
    if (match === null) throw new Error(`Not an instruction: ${whole}`);
    instructions.push({ keyword: (match[1] ?? '').toUpperCase(), args: (match[2] ?? '').trim() });
  }
  return instructions;
}

/** The exec form (`["node", "x.js"]`) of ENTRYPOINT or CMD; the shell form is refused. */
export function execForm(instruction: Instruction | undefined): string[] {
  const parsed: unknown = JSON.parse(instruction?.args ?? 'null');
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
    throw new Error(`Not an exec form: ${instruction?.args}`);
  }
  return parsed;
}

/** ENV's `KEY=value` pairs (unquoted values, as this repository writes them). */
export function envPairs(instruction: Instruction): Record<string, string> {
  return Object.fromEntries(
    instruction.args.split(/\s+/).map((pair) => {
      const at = pair.indexOf('=');
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}
