/**
 * The variants named in a comma-separated `--variants` list, in `variants` order; all of them when
 * `list` is undefined. An unknown name ends the process with exit code 2.
 */
export function selectVariants(list, variants) {
  if (list === undefined) return variants;
  const names = list
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !variants.some((v) => v.name === n));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown variant(s) ${unknown.join(', ')}; known: ${variants.map((v) => v.name).join(', ')}\n`,
    );
    process.exit(2);
  }
  return variants.filter((v) => names.includes(v.name));
}
