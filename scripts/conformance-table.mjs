#!/usr/bin/env node
// Prints which test files cover which item of the Runtime API conformance checklist
// (docs/runtime-api.md section 13), read from test names such as `it('item 18: ...')` or
// `it('items 30, 31: ...')`. With --require LIST (e.g. `1,3-6,9`) it exits 1 when an item in LIST
// has no test. With --list-files it prints only the test files that name an item, one a line (CI
// runs those under each supported Node.js version).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({
  options: { require: { type: 'string' }, 'list-files': { type: 'boolean' } },
});

const TEST_TITLE = /\b(?:it|test|describe)(?:\.each\([^)]*\))?\(\s*(['"`])((?:\\.|(?!\1).)*)\1/g;
const ITEMS = /\bitems?\s+(\d+(?:\s*(?:,|and|&)\s*\d+)*)/gi;

function* testFiles() {
  for (const group of ['packages', 'examples']) {
    for (const name of readdirSync(join(root, group))) {
      const dir = join(root, group, name, 'test');
      let entries;
      try {
        entries = readdirSync(dir, { recursive: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (String(entry).endsWith('.test.ts')) yield join(dir, String(entry));
      }
    }
  }
}

/** item number -> Map(test file -> count of tests naming it) */
const coverage = new Map();
for (const file of testFiles()) {
  const source = readFileSync(file, 'utf8');
  for (const [, , title] of source.matchAll(TEST_TITLE)) {
    for (const [, list] of title.matchAll(ITEMS)) {
      for (const item of list.split(/\s*(?:,|and|&)\s*/).map(Number)) {
        const files = coverage.get(item) ?? new Map();
        const name = relative(root, file);
        files.set(name, (files.get(name) ?? 0) + 1);
        coverage.set(item, files);
      }
    }
  }
}

function parseList(list) {
  return list.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

if (values['list-files'] === true) {
  const files = new Set([...coverage.values()].flatMap((byFile) => [...byFile.keys()]));
  process.stdout.write(`${[...files].sort().join('\n')}\n`);
  process.exit(0);
}

const required = values.require === undefined ? [] : parseList(values.require);
const items = [...new Set([...coverage.keys(), ...required])].sort((a, b) => a - b);
process.stdout.write('| item | tests | files |\n|---:|---:|---|\n');
for (const item of items) {
  const files = coverage.get(item) ?? new Map();
  const count = [...files.values()].reduce((sum, n) => sum + n, 0);
  process.stdout.write(`| ${item} | ${count} | ${[...files.keys()].join('<br>') || '**none**'} |\n`);
}
const missing = required.filter((item) => !coverage.has(item));
if (missing.length > 0) {
  process.stderr.write(`Checklist items without a test: ${missing.join(', ')}\n`);
  process.exitCode = 1;
}
