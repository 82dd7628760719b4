// Bundles each webview panel (webview/panels/*.ts) for the browser and copies plotly's dist bundle next to them.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const outdir = 'out/webview';
const panels = readdirSync('webview/panels').filter((f) => f.endsWith('.ts')).map((f) => join('webview/panels', f));

await build({
  entryPoints: panels,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outdir,
  minify: process.env.NODE_ENV === 'production',
  sourcemap: true,
  logLevel: 'warning',
});

// plotly is loaded as a classic script (its dist bundle), served from the extension, never from a CDN.
mkdirSync(join(outdir, 'vendor'), { recursive: true });
copyFileSync(join(dirname(require.resolve('plotly.js-dist-min/package.json')), 'plotly.min.js'), join(outdir, 'vendor', 'plotly.min.js'));
