/**
 * Builds the console and the public pages with esbuild: two ES module bundles, the stylesheet and the
 * two HTML shells, laid out as the site is served (the same tree goes to S3 behind CloudFront):
 *
 *   console/index.html  request/index.html  assets/console.js  assets/request.js  assets/style.css
 *
 * `buildSite()` returns the files in memory (the embedded runtime serves them that way, so there is no
 * stale build to forget); `tsx console/src/build.ts` writes them to console/dist for deployment.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const CONSOLE_DIR = fileURLToPath(new URL('../', import.meta.url));

export type Site = Map<string, { body: Buffer; type: string }>;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

function typeOf(path: string): string {
  return TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
}

export async function buildSite(options: { minify?: boolean } = {}): Promise<Site> {
  const out = await build({
    entryPoints: {
      console: join(CONSOLE_DIR, 'src/console/main.ts'),
      request: join(CONSOLE_DIR, 'src/public/main.ts'),
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome120', 'firefox120', 'safari16'],
    outdir: '/assets',
    write: false,
    minify: options.minify ?? false,
    sourcemap: options.minify ? 'linked' : false,
    logLevel: 'silent',
  });
  const site: Site = new Map();
  for (const file of out.outputFiles) site.set(file.path, { body: Buffer.from(file.contents), type: typeOf(file.path) });
  const stat = (name: string) => readFileSync(join(CONSOLE_DIR, 'static', name));
  site.set('/assets/style.css', { body: stat('style.css'), type: typeOf('.css') });
  site.set('/console/index.html', { body: stat('console.html'), type: typeOf('.html') });
  site.set('/request/index.html', { body: stat('request.html'), type: typeOf('.html') });
  return site;
}

export async function writeSite(outDir: string): Promise<string[]> {
  const site = await buildSite({ minify: true });
  rmSync(outDir, { recursive: true, force: true });
  for (const [path, file] of site) {
    const target = join(outDir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.body);
  }
  return [...site.keys()];
}

// `tsx console/src/build.ts [outDir]`: the CDK construct passes its asset directory.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outDir = process.argv[2] ? resolve(process.argv[2]) : join(CONSOLE_DIR, 'dist');
  const files = await writeSite(outDir);
  process.stdout.write(`Built ${files.length} files into ${outDir}\n`);
}
