/** Pure parsing for the size benchmark: wrangler's upload summary, a page's scripts and their imports. */
import { posix } from 'node:path';

/** `Total Upload: 1330.25 KiB / gzip: 364.30 KiB` → both numbers (null where wrangler did not say). */
export function wranglerUploadSizes(output: string): { totalKiB: number | null; gzipKiB: number | null } {
  const match = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(output);
  return match
    ? { totalKiB: Number(match[1]), gzipKiB: Number(match[2]) }
    : { totalKiB: null, gzipKiB: null };
}

/**
 * The same-origin scripts a page loads: `src` paths of `<script>` tags (and module preloads), relative to
 * the site root without the leading slash, plus the bodies of inline scripts (JSON data blocks excluded).
 */
export function localScriptsOf(html: string): { sources: string[]; inline: string[] } {
  const sources: string[] = [];
  const inline: string[] = [];
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const attributes = match[1] ?? '';
    const src = /\bsrc\s*=\s*["']([^"']+)["']/i.exec(attributes)?.[1];
    if (src !== undefined) {
      if (!/^[a-z]+:|^\/\//i.test(src)) sources.push(src.replace(/^\//, ''));
    } else if (
      !/\btype\s*=\s*["']application\/(ld\+)?json["']/i.test(attributes) &&
      (match[2] ?? '').trim() !== ''
    ) {
      inline.push(match[2] as string);
    }
  }
  for (const match of html.matchAll(/<link\b[^>]*\brel\s*=\s*["']modulepreload["'][^>]*>/gi)) {
    const href = /\bhref\s*=\s*["']([^"']+)["']/i.exec(match[0])?.[1];
    if (href !== undefined && !/^[a-z]+:|^\/\//i.test(href)) sources.push(href.replace(/^\//, ''));
  }
  return { sources: [...new Set(sources)], inline };
}

/**
 * Relative or root-relative modules a built script imports statically (`import … from "./x.js"`,
 * `import "./x.js"`, `export … from "./x.js"`), resolved against the script's own path.
 *
 * @example staticImportsOf('import{a as b}from"./chunk.js";', '_astro/page.js') // ['_astro/chunk.js']
 */
export function staticImportsOf(code: string, fromPath: string): string[] {
  const found = new Set<string>();
  const pattern = /(?:\bimport|\bexport)\s*(?:[\w*{}\s,$]+?\s*from\s*)?["']([^"']+)["']/g;
  for (const match of code.matchAll(pattern)) {
    const specifier = match[1] as string;
    if (specifier.startsWith('./') || specifier.startsWith('../')) {
      found.add(posix.normalize(posix.join(posix.dirname(fromPath), specifier)));
    } else if (specifier.startsWith('/')) {
      found.add(specifier.slice(1));
    }
  }
  return [...found];
}
