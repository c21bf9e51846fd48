import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, securityHeadersFor } from '../../worker/middleware/security-headers.ts';

describe('the security headers', () => {
  it('allow no inline script and connect only to this origin', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(';').map((directive) => {
        const [name, ...values] = directive.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/);
  });

  it('allow the camera on the pad page only', () => {
    expect(securityHeadersFor('/')['permissions-policy']).toContain('camera=(self)');
    for (const path of ['/model', '/docs', '/api/predict', '/_astro/x.js']) {
      expect(securityHeadersFor(path)['permissions-policy'], path).toContain('camera=()');
    }
  });
});
