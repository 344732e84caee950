// Bundles the browser client into OUT (default dist/): assets/app-<hash>.js and .css, whose names
// change with their content (served immutable), and index.html naming them (served no-cache).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const out = path.resolve(process.argv[2] || 'dist');
fs.rmSync(out, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: { app: 'src/main.js' },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  outdir: path.join(out, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs).map((f) => path.basename(f));
const js = outputs.find((f) => f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
const html = fs.readFileSync('src/index.html', 'utf8')
  .replace('%CSS%', `/assets/${css}`)
  .replace('%JS%', `/assets/${js}`);
fs.writeFileSync(path.join(out, 'index.html'), html);
console.log(`web: ${outputs.join(', ')} and index.html in ${out}`);
