#!/usr/bin/env node
// After `changeset version`: writes @lambda-runtime/core's new version into packages/core/src/version.ts,
// the VERSION the runtime sends in its User-Agent (a core test keeps the two equal).
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('packages/core/package.json', root), 'utf8'));
const file = new URL('packages/core/src/version.ts', root);
const source = readFileSync(file, 'utf8');
const updated = source.replace(/export const VERSION = '[^']*';/, `export const VERSION = '${version}';`);
if (!updated.includes(`'${version}'`)) throw new Error(`No VERSION constant in ${file.pathname}`);
writeFileSync(file, updated);
process.stdout.write(`@lambda-runtime/core VERSION = ${version}\n`);
