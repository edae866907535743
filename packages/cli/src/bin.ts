#!/usr/bin/env node
// The command's earlier path, kept working: it starts dist/bin.cjs (an ES module entry costs the
// ES module loader's start-up, which bin.cjs avoids when the handler is CommonJS).
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./bin.cjs');
