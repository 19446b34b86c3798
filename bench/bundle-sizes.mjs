// Sizes of the built extension (.output/chrome-mv3), raw and gzipped, for bench/run.mjs: what a
// browser reads to start the service worker, to show the nudge page, the popup or the options page, and to inject a
// content script. A page counts its HTML, the scripts and stylesheets the HTML names, and every chunk
// those scripts import statically (shared chunks included: the page cannot run without them).
// Dynamic import() targets are listed apart, not counted: they load later, if at all.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** `<script src>`, `<link rel="modulepreload">` and `<link rel="stylesheet">` of an HTML file, as paths in `outDir`. */
function htmlAssets(outDir, htmlFile) {
  const html = readFileSync(path.join(outDir, htmlFile), 'utf8');
  const attribute = (tag, name) => {
    const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i').exec(tag);
    return match === null ? undefined : (match[1] ?? match[2] ?? match[3]);
  };
  const local = (ref) => {
    if (ref === undefined || /^[a-z][a-z0-9+.-]*:/i.test(ref)) return undefined; // absent, or another origin
    const clean = ref.split(/[?#]/)[0];
    return clean.startsWith('/') ? clean.slice(1) : path.posix.join(path.posix.dirname(htmlFile), clean);
  };
  const scripts = [];
  const styles = [];
  for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
    const file = local(attribute(tag, 'src'));
    if (file !== undefined) scripts.push(file);
  }
  for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = attribute(tag, 'rel')?.toLowerCase().split(/\s+/) ?? [];
    const file = local(attribute(tag, 'href'));
    if (file === undefined) continue;
    if (rel.includes('modulepreload')) scripts.push(file);
    else if (rel.includes('stylesheet')) styles.push(file);
  }
  return { scripts, styles };
}

/**
 * The JS files `entries` need, following static imports (esbuild parses them: its metafile lists
 * each file's imports with their kind). Returns `{ files, lazy }`, paths relative to `outDir`.
 */
async function staticImports(outDir, entries) {
  if (entries.length === 0) return { files: [], lazy: [] };
  const result = await build({
    absWorkingDir: outDir,
    entryPoints: entries,
    bundle: true,
    write: false,
    metafile: true,
    splitting: true,
    format: 'esm',
    outdir: 'out',
    logLevel: 'silent',
    plugins: [
      {
        // Vite writes chunk imports relative ("./x.js"); a root-relative one ("/chunks/x.js") is the extension root.
        name: 'extension-root',
        setup(b) {
          b.onResolve({ filter: /^\// }, (args) => ({ path: path.join(outDir, args.path) }));
        },
      },
    ],
  });
  const inputs = result.metafile.inputs;
  const files = new Set();
  const lazy = new Set();
  const visit = (file) => {
    if (files.has(file)) return;
    files.add(file);
    lazy.delete(file);
    for (const imported of inputs[file]?.imports ?? []) {
      if (imported.external) continue;
      if (imported.kind === 'dynamic-import') {
        if (!files.has(imported.path)) lazy.add(imported.path);
      } else visit(imported.path);
    }
  };
  for (const entry of entries) visit(path.relative(outDir, path.resolve(outDir, entry)));
  return { files: [...files], lazy: [...lazy] };
}

function measure(outDir, files) {
  const list = [...new Set(files)].sort().map((file) => {
    const bytes = readFileSync(path.join(outDir, file));
    return { file, bytes: bytes.length, gzipBytes: gzipSync(bytes).length };
  });
  return {
    files: list,
    bytes: list.reduce((sum, f) => sum + f.bytes, 0),
    // Each file is stored and read on its own, so each is gzipped on its own.
    gzipBytes: list.reduce((sum, f) => sum + f.gzipBytes, 0),
  };
}

async function page(outDir, htmlFile) {
  const { scripts, styles } = htmlAssets(outDir, htmlFile);
  const { files, lazy } = await staticImports(outDir, scripts);
  return { ...measure(outDir, [htmlFile, ...files, ...styles]), lazy };
}

/**
 * Content scripts, from three places: files under content-scripts/ (WXT's content-script entrypoints),
 * the manifest's `content_scripts`, and scripts the extension registers at run time with
 * `scripting.registerContentScripts` (`registered`: what Chromium lists, as bench/nudge-bench.ts reads
 * it). Grouped by file name without extension (`content-scripts/foo.js` and `.css` are one script).
 */
async function contentScripts(outDir, manifest, registered) {
  const groups = new Map();
  const add = (file, source) => {
    const normalized = file.replace(/^\//, '');
    if ([...groups.values()].some((group) => group.files.includes(normalized))) return;
    const name = normalized.replace(/\.(js|css)$/, '');
    const group = groups.get(name) ?? { files: [], sources: new Set() };
    group.files.push(normalized);
    group.sources.add(source);
    groups.set(name, group);
  };
  const dir = path.join(outDir, 'content-scripts');
  if (existsSync(dir)) {
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      add(path.relative(outDir, path.join(entry.parentPath ?? entry.path, entry.name)), 'content-scripts/');
    }
  }
  for (const script of manifest.content_scripts ?? []) {
    for (const file of [...(script.js ?? []), ...(script.css ?? [])]) add(file, 'manifest');
  }
  for (const script of registered) {
    for (const file of [...script.js, ...script.css]) add(file, 'registered at run time');
  }
  const result = [];
  for (const [name, { files, sources }] of [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const js = files.filter((f) => f.endsWith('.js'));
    const { files: imported, lazy } = await staticImports(outDir, js);
    result.push({ name, sources: [...sources], ...measure(outDir, [...files, ...imported]), lazy });
  }
  return result;
}

/**
 * Sizes of the unpacked Chrome build in `outDir`. `registeredContentScripts`: `{ js, css }` of the
 * content scripts registered at run time, which no file of the build lists.
 */
export async function bundleSizes(outDir, registeredContentScripts = []) {
  const manifest = JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8'));
  const worker = manifest.background?.service_worker;
  if (worker === undefined) throw new Error(`${outDir}/manifest.json names no background.service_worker`);
  const background = await staticImports(outDir, [worker]);
  const popupHtml = manifest.action?.default_popup;
  const optionsHtml = manifest.options_ui?.page;
  return {
    background: { ...measure(outDir, background.files), lazy: background.lazy },
    nudge: await page(outDir, 'nudge.html'),
    popup: popupHtml === undefined ? null : await page(outDir, popupHtml),
    options: optionsHtml === undefined ? null : await page(outDir, optionsHtml),
    contentScripts: await contentScripts(outDir, manifest, registeredContentScripts),
  };
}
