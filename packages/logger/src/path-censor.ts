/** What a censored value becomes: pino's default censor, so both phases of a logger agree. */
export const CENSORED = '[Redacted]';

const WILDCARD = Symbol('wildcard');
type Segment = string | typeof WILDCARD;

// A dot-separated name, or a bracketed one: a.b, a["b-c"], a[0], *.b, a[*]
const SEGMENT = /[^.[\]]+|\[([^[\]]*?)\]/g;

/**
 * Censors values by path, with pino's `redact` path syntax (`a.b`, `*.b`, `a["b-c"]`, `a[*]`):
 * a key that is present at a path gets the value `"[Redacted]"`. Objects are copied
 * along a censored path, never changed. Used by the logger before pino is loaded, so a line
 * logged then is censored like one logged later.
 *
 * @example
 * ```ts
 * new PathCensor(['*.password']).apply({ user: { password: 'x' } }); // { user: { password: '[Redacted]' } }
 * ```
 */
export class PathCensor {
  readonly #paths: ReadonlyArray<readonly Segment[]>;

  constructor(paths: readonly string[]) {
    this.#paths = paths.map(parsePath).filter((path) => path.length > 0);
  }

  /** `value` with every path censored; `value` itself when nothing matched. */
  apply(value: unknown): unknown {
    let result = value;
    for (const path of this.#paths) result = censorAt(result, path, 0);
    return result;
  }
}

function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  for (const match of path.matchAll(SEGMENT)) {
    const name = match[1] === undefined ? match[0] : match[1].replace(/^(["'`])(.*)\1$/, '$2');
    segments.push(name === '*' ? WILDCARD : name);
  }
  return segments;
}

function censorAt(node: unknown, path: readonly Segment[], index: number): unknown {
  if (node === null || typeof node !== 'object') return node;
  const segment = path[index] as Segment;
  const record = node as Record<string, unknown>;
  const keys = segment === WILDCARD ? Object.keys(record) : Object.hasOwn(record, segment) ? [segment] : [];
  const last = index === path.length - 1;
  let copy: Record<string, unknown> | undefined;
  for (const key of keys) {
    const child = record[key];
    // pino censors a key that is present even when its value is undefined.
    if (child === undefined && !last) continue;
    const censored = last ? CENSORED : censorAt(child, path, index + 1);
    if (censored === child) continue;
    copy ??= (Array.isArray(node) ? [...node] : { ...record }) as Record<string, unknown>;
    copy[key] = censored;
  }
  return copy ?? node;
}
