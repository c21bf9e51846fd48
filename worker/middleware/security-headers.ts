/**
 * The security headers of every answer, pages (served from the assets binding after this Worker runs
 * first, see wrangler.toml) and API alike: a strict Content-Security-Policy, no MIME sniffing, a short
 * referrer and a Permissions-Policy that allows the camera only on the pad page, where the photo input is.
 */

import type { MiddlewareHandler } from 'hono';

/**
 * Scripts and stylesheets only from this origin: the Astro build emits no inline <script> or <style>
 * (site/astro.config.ts). Inline `style="…"` attributes stay allowed (the pages set CSS variables with
 * them); they cannot run code. Images may be data:/blob: URLs (the pad's preview, a chosen photo).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Pages where the photo input may use the camera. */
const CAMERA_PAGES = new Set(['/', '/index.html']);

/** Every feature named here is known to Chromium (an unknown one is a console error on each page). */
const permissionsPolicy = (camera: boolean): string =>
  `camera=${camera ? '(self)' : '()'}, microphone=(), geolocation=(), payment=(), usb=()`;

const headersWith = (camera: boolean): Readonly<Record<string, string>> => ({
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': permissionsPolicy(camera),
  'cross-origin-opener-policy': 'same-origin',
});
/** Built once: they are set on every answer. */
const CAMERA_HEADERS = headersWith(true);
const HEADERS = headersWith(false);

/** The headers for an answer to `path` (pure, so a unit test can read them). */
export const securityHeadersFor = (path: string): Readonly<Record<string, string>> =>
  CAMERA_PAGES.has(path) ? CAMERA_HEADERS : HEADERS;
/** Each header set as entries, also made once. */
const ENTRIES = new Map([CAMERA_HEADERS, HEADERS].map((headers) => [headers, Object.entries(headers)]));

export function securityHeaders(): MiddlewareHandler {
  return async function setSecurityHeaders(c, next) {
    await next();
    const headers = ENTRIES.get(securityHeadersFor(c.req.path)) ?? [];
    // Answers from the assets binding can have immutable headers: copy those once.
    let response = c.res;
    try {
      for (const [name, value] of headers) response.headers.set(name, value);
    } catch {
      response = new Response(response.body, response);
      for (const [name, value] of headers) response.headers.set(name, value);
      c.res = response;
    }
  };
}
