/**
 * The headers of every API answer: the functions send them (functions/handlers/http.ts), the local
 * adapter sends them on its own answers (401, 404, 405, 400, 413), and on AWS CloudFront adds them to
 * API Gateway's own answers under /v1/* (infra/stack/console-site.ts). One list, so the three cannot
 * drift apart; no imports, so the stack can read it without loading the functions' dependencies.
 */
export const SECURITY_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
} as const;
