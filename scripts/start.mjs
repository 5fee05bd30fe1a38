#!/usr/bin/env node
/** `npm start`: installs what is missing and serves the studio (with the built-in model from public/) on localhost. */
import { ensureNodeModules, ensureSystemPackages, run } from './system.mjs';

ensureNodeModules();
if (process.argv.includes('--with-browser-deps')) ensureSystemPackages();
const port = process.env.PORT ?? '5173';
console.log(`\nStarting the studio on http://localhost:${port}/ (open it in Chrome/Edge with WebGPU)\n`);
run('npx', ['vite', '--port', port, '--host', process.env.HOST ?? 'localhost']);
