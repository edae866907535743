import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

/** One file of a zip, as its central directory describes it. */
export interface ZipFileRecord {
  readonly name: string;
  /** The high byte of "version made by": 3 is Unix. */
  readonly madeBy: number;
  /** Unix mode from the external attributes' high 16 bits, e.g. 0o100755. */
  readonly mode: number;
  readonly dosTime: number;
  readonly dosDate: number;
  readonly data: Buffer;
}

/**
 * Reads a zip from its central directory (no zip64, which our artifacts do not need): enough for
 * tests to check names, modes, timestamps and contents without trusting the writer's library.
 */
export function readZip(zip: Buffer): ZipFileRecord[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('no end of central directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const files: ZipFileRecord[] = [];
  for (let index = 0; index < count; index += 1) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`bad central directory entry at ${offset}`);
    const madeBy = zip.readUInt16LE(offset + 4) >> 8;
    const method = zip.readUInt16LE(offset + 10);
    const dosTime = zip.readUInt16LE(offset + 12);
    const dosDate = zip.readUInt16LE(offset + 14);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const external = zip.readUInt32LE(offset + 38);
    const local = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    const data = method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
    files.push({ name, madeBy, mode: external >>> 16, dosTime, dosDate, data });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

/** Unpacks a zip into `directory` as Lambda does (files with their Unix modes), for tests. */
export async function extractZip(zip: string, directory: string): Promise<void> {
  for (const file of readZip(await readFile(zip))) {
    const target = join(directory, file.name);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.data, { mode: file.mode & 0o777 });
  }
}
