#!/usr/bin/env node
// Entry point of the headless CLI (compiled TypeScript lives in out/; run `npm run build` first).
require('../out/src/cli/main.js').main(process.argv.slice(2)).then((code) => process.exit(code));
