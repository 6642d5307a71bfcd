// `node --import <this file> out/main/main.js`: installs the loader hook before the app loads.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
