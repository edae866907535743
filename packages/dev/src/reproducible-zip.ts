import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';

/** One file of a {@link writeReproducibleZip} archive. */
export interface ZipEntry {
  /** The path inside the archive, `/`-separated, e.g. `bin/node`. */
  readonly name: string;
  /** The file on disk to store, or its contents. */
  readonly source: string | Uint8Array;
  /** Unix permission bits, e.g. `0o755` for `bootstrap`, `0o644` otherwise. */
  readonly mode: number;
}

// Lambda ignores timestamps; a fixed one makes the same input give the same bytes. Built from local
// fields because the DOS date format stores local time: every time zone writes 1980-01-01 00:00.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

/**
 * Writes a zip whose bytes depend only on the entries: sorted by name, one fixed timestamp, no
 * extra fields, the Unix mode in the external attributes (so `bootstrap` stays executable on
 * Lambda), deflated with Node's zlib. Returns the archive's size in bytes.
 *
 * @example
 * ```ts
 * await writeReproducibleZip('function.zip', [
 *   { name: 'bootstrap', source: 'dist/lambda/bootstrap', mode: 0o755 },
 *   { name: 'function.cjs', source: 'dist/lambda/function.cjs', mode: 0o644 },
 * ]);
 * ```
 */
export async function writeReproducibleZip(outfile: string, entries: readonly ZipEntry[]): Promise<number> {
  const zip = new ZipFile();
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of sorted) {
    const options = {
      mtime: FIXED_MTIME,
      mode: 0o100000 | (entry.mode & 0o7777),
      compress: true,
      // Without the "UT" extra field: it would store the epoch of FIXED_MTIME, which depends on the zone.
      forceDosTimestamp: true,
    };
    if (typeof entry.source === 'string') zip.addFile(entry.source, entry.name, options);
    else zip.addBuffer(Buffer.from(entry.source), entry.name, options);
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(outfile));
  return (await stat(outfile)).size;
}
