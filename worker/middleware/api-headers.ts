/**
 * The API's own headers: CORS for any origin (pages elsewhere may call the API) and Server-Timing with the
 * steps a route times. Written out instead of hono's generic cors() and timing(): those two cost about a
 * tenth of a millisecond a request in the bench's request profile, more than everything else in the
 * middleware chain, and this is the CPU time Cloudflare bills.
 */

import type { Context } from 'hono';
import type { AppEnv } from '../app-types.ts';

/** On every API answer, errors included. */
const CORS_HEADERS: readonly (readonly [string, string])[] = [
  ['access-control-allow-origin', '*'],
  ['access-control-expose-headers', 'Server-Timing, Retry-After'],
];

/** The answer to a CORS preflight (`OPTIONS`), cached by the browser for a day. */
export function preflightResponse(): Response {
  return new Response(null, {
    status: 204,
    headers: [
      ...CORS_HEADERS,
      ['access-control-allow-methods', 'GET, POST, OPTIONS'],
      ['access-control-allow-headers', 'Content-Type'],
      ['access-control-max-age', '86400'],
    ],
  });
}

const entry = (name: string, ms: number): string => `${name};dur=${ms.toFixed(1)}`;

/** A request's Server-Timing entries so far; `finish` adds the total and the headers to the answer. */
export class ServerTiming {
  readonly #started = performance.now();
  readonly #entries: string[] = [];

  /** Starts timing step `name`; call the returned function when it is done. */
  start(name: string): () => void {
    const started = performance.now();
    return () => {
      this.#entries.push(entry(name, performance.now() - started));
    };
  }

  /** Sets CORS and Server-Timing (with `total`) on the API's answer. */
  finish(headers: Headers): void {
    for (const [name, value] of CORS_HEADERS) headers.set(name, value);
    this.#entries.push(entry('total', performance.now() - this.#started));
    headers.set('server-timing', this.#entries.join(', '));
    headers.set('timing-allow-origin', '*');
  }
}

/** Starts timing step `name` of this request (Server-Timing); call the returned function when it is done. */
export const startTiming = (c: Context<AppEnv>, name: string): (() => void) => c.get('timing').start(name);
