import { styleText } from 'node:util';

/** What the REPORT line of one invocation says. */
export interface InvocationReport {
  readonly requestId: string;
  /** The invoke phase, in ms (with a suppressed init, its init too). */
  readonly durationMs: number;
  /** Cold start only: the Init phase, in ms. It is billed too (custom runtimes). */
  readonly initDurationMs?: number | undefined;
  readonly maxMemoryUsedMb?: number | undefined;
  /** How an invocation that did not end with an answer of the runtime ended. */
  readonly status?: 'timeout' | 'error' | undefined;
  readonly errorType?: string | undefined;
}

/** What an INIT_REPORT line (an Init phase that failed or timed out) says. */
export interface InitReport {
  readonly durationMs: number;
  readonly status: 'timeout' | 'error';
  readonly errorType?: string | undefined;
}

/** Options of {@link InvocationReporter}. */
export interface InvocationReporterOptions {
  readonly output: NodeJS.WritableStream;
  /** Force colour on or off; by default decided from `output` and the environment. */
  readonly colour?: boolean | undefined;
  readonly functionVersion: string;
  readonly memorySizeMb: number;
  /** Where `NO_COLOR` / `FORCE_COLOR` are read. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

type Style = Parameters<typeof styleText>[0];

/**
 * Writes what Lambda writes to CloudWatch around each invocation (`START`, `END`, `REPORT`, and
 * `INIT_REPORT` for an Init that failed or timed out), in the platform's wording, with the
 * runtime's own output passed through between them. Lines are coloured on a colour terminal
 * (never the runtime's own output).
 *
 * @example
 * ```ts
 * const reporter = new InvocationReporter({ output: process.stdout, functionVersion: '$LATEST', memorySizeMb: 128 });
 * reporter.start(requestId);
 * reporter.end({ requestId, durationMs: 12.34, initDurationMs: 150.12, maxMemoryUsedMb: 45 });
 * ```
 */
export class InvocationReporter {
  readonly #output: NodeJS.WritableStream;
  readonly #colour: boolean;
  readonly #functionVersion: string;
  readonly #memorySizeMb: number;
  /** Whether the last thing written ended a line (the runtime's output may stop mid-line). */
  #atLineStart = true;

  constructor(options: InvocationReporterOptions) {
    this.#output = options.output;
    this.#colour = options.colour ?? wantsColour(options.output, options.env ?? process.env);
    this.#functionVersion = options.functionVersion;
    this.#memorySizeMb = options.memorySizeMb;
  }

  /** Whether lines are coloured. */
  get colour(): boolean {
    return this.#colour;
  }

  /** The runtime's own stdout or stderr, passed through as it is. */
  runtimeOutput(text: string): void {
    if (text === '') return;
    this.#output.write(text);
    this.#atLineStart = text.endsWith('\n');
  }

  /** `START RequestId: … Version: …` */
  start(requestId: string): void {
    this.#line(`START RequestId: ${requestId} Version: ${this.#functionVersion}`, ['cyan']);
  }

  /** The log line of a timed-out invocation: `<ISO time> <id> Task timed out after N.NN seconds`. */
  timedOut(requestId: string, timeoutSeconds: number): void {
    this.#line(
      `${new Date().toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
      ['red'],
    );
  }

  /** `END RequestId: …` then the tab-separated `REPORT RequestId: …` line. */
  end(report: InvocationReport): void {
    this.#line(`END RequestId: ${report.requestId}`, ['cyan']);
    const billed = Math.max(1, Math.ceil(report.durationMs + (report.initDurationMs ?? 0)));
    let text =
      `REPORT RequestId: ${report.requestId}\t` +
      `Duration: ${report.durationMs.toFixed(2)} ms\t` +
      `Billed Duration: ${billed} ms\t` +
      `Memory Size: ${this.#memorySizeMb} MB\t` +
      `Max Memory Used: ${report.maxMemoryUsedMb ?? 0} MB\t`;
    if (report.initDurationMs !== undefined)
      text += `Init Duration: ${report.initDurationMs.toFixed(2)} ms\t`;
    if (report.status !== undefined) text += `Status: ${report.status}\t`;
    if (report.errorType !== undefined) text += `Error Type: ${report.errorType}\t`;
    this.#line(text, report.status === undefined ? ['dim'] : ['red']);
  }

  /** `INIT_REPORT Init Duration: … Phase: init Status: timeout|error [Error Type: …]` */
  initReport(report: InitReport): void {
    let text = `INIT_REPORT Init Duration: ${report.durationMs.toFixed(2)} ms\tPhase: init\tStatus: ${report.status}\t`;
    if (report.errorType !== undefined) text += `Error Type: ${report.errorType}\t`;
    this.#line(text, ['red']);
  }

  /** A line of the emulator's own (a runtime restarted or gone), marked as such. */
  notice(text: string): void {
    this.#line(`[lambda-runtime-emulator] ${text}`, ['yellow']);
  }

  #line(text: string, style: Style): void {
    const prefix = this.#atLineStart ? '' : '\n';
    this.#output.write(
      `${prefix}${this.#colour ? styleText(style, text, { validateStream: false }) : text}\n`,
    );
    this.#atLineStart = true;
  }
}

/**
 * Colour on a colour-capable TTY; `NO_COLOR` (any non-empty value) turns it off, `FORCE_COLOR`
 * turns it on (`0` or `false` off), as most command line tools read them.
 */
function wantsColour(output: NodeJS.WritableStream, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const tty = output as Partial<{ isTTY: boolean; hasColors: (count?: number, env?: object) => boolean }>;
  if (tty.isTTY !== true) return false;
  return typeof tty.hasColors === 'function' ? tty.hasColors(16, env) : true;
}
