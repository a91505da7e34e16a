#!/usr/bin/env node
// Builds the browser bundles into dist/browser/ (run after `tsc -b`):
//   switchyard-client.js          ESM, JSON only (MessagePack stays out: it is its own package)
//   switchyard-client.global.js   the same as a classic script: window.SwitchyardClient
//   switchyard-client-msgpack.js  ESM, the client plus MessagePackHubProtocol
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const common = { bundle: true, platform: 'browser', target: 'es2022', minify: true, sourcemap: true, absWorkingDir: root, logLevel: 'info' };

await build({ ...common, entryPoints: ['src/index.ts'], format: 'esm', outfile: 'dist/browser/switchyard-client.js' });
await build({ ...common, entryPoints: ['src/index.ts'], format: 'iife', globalName: 'SwitchyardClient', outfile: 'dist/browser/switchyard-client.global.js' });
await build({
  ...common,
  stdin: { contents: "export * from './src/index.ts';\nexport { MessagePackHubProtocol } from '@switchyard/protocol-msgpack';\n", resolveDir: root, loader: 'ts' },
  format: 'esm',
  outfile: 'dist/browser/switchyard-client-msgpack.js',
});
