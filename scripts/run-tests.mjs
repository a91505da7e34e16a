#!/usr/bin/env node
// Runs every compiled test file (packages/*/dist/**/*.test.js, test/*/dist/**/*.test.js) with node's
// built-in test runner. Node 20 has no glob support in `node --test`, so the files are listed here.
// Usage: node scripts/run-tests.mjs [substring filter ...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

const roots = ["packages", "test", "bench"];
const filters = process.argv.slice(2);
const files = [];

function walk(dir) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path);
    else if (entry.endsWith('.test.js') && path.includes(`${'/'}dist${'/'}`)) files.push(path);
  }
}
for (const root of roots) {
  try { walk(root); } catch { /* a root may not exist yet */ }
}
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (selected.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...selected], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
