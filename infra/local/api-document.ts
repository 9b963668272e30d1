/**
 * Serves the API's contract, docs/openapi.yaml, at /v1/openapi.yaml on the API's own origin, so a new user
 * can load the running API into their API tool. The file is read when asked, so an edited document is
 * served as it stands; it is public, like the document in the repository.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from '../../functions/handlers/security-headers.ts';

export const API_DOCUMENT_PATH = '/v1/openapi.yaml';
const DOCUMENT = new URL('../../docs/openapi.yaml', import.meta.url);

/** A fallback for the local HTTP API: answers GET and HEAD of /v1/openapi.yaml, and nothing else. */
export function serveApiDocument() {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== API_DOCUMENT_PATH) return false;
    const body = await readFile(DOCUMENT);
    // application/yaml is YAML's registered media type (RFC 9512).
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/yaml; charset=utf-8', 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
