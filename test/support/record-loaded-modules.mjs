// Loaded with `--import` (NODE_OPTIONS): appends the URL of every module the ES module loader loads
// to the file named by LOADED_MODULES_FILE, so a test can see what a process imported.
import { register } from 'node:module';
import process from 'node:process';

register('./loaded-modules-hooks.mjs', import.meta.url, { data: { file: process.env.LOADED_MODULES_FILE } });
