/**
 * The security headers of every console page, asset and config.json: the embedded runtime sends them
 * itself (infra/local/console.ts), CloudFront's response headers policy sets the same on AWS
 * (infra/stack/console-site.ts). One list, so the two cannot drift apart.
 */

/** The headers for every page and asset; `connectSrc` adds origins the browser may call (the Cognito domain, the API). */
export function securityHeaders(connectSrc: string[] = []): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      `connect-src 'self'${connectSrc.map((o) => ` ${o}`).join('')}`,
      "form-action 'self'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    // Status and download links carry tokens in the query: never leak them in a Referer.
    'referrer-policy': 'no-referrer',
    'strict-transport-security': 'max-age=63072000; includeSubDomains',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}
