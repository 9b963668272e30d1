import { describe, expect, it } from 'vitest';
import { checkPermission, permissionKey } from '#domain/agents/permission';
import { htmlDocument, jpegDocument, pdfDocument, pngDocument } from '../../../support/agent-documents.ts';

const MAX = 64 * 1024;
const b64 = (b: Buffer) => b.toString('base64');

describe('an agent’s signed permission', () => {
  it.each([
    ['a PDF', pdfDocument(), 'application/pdf'],
    ['a PNG', pngDocument(), 'image/png'],
    ['a JPEG', jpegDocument(), 'image/jpeg'],
  ])('is accepted as %s when its bytes say so', async (_what, doc, type) => {
    const checked = await checkPermission(type, b64(doc), MAX);
    expect(checked.contentType).toBe(type);
    expect(checked.bytes.equals(doc)).toBe(true);
    expect(checked.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is refused when its bytes are another permitted type than the one declared', async () => {
    await expect(checkPermission('application/pdf', b64(pngDocument()), MAX)).rejects.toMatchObject({ status: 400, code: 'permission_type_mismatch' });
  });

  it('is refused when its bytes are no permitted type at all, whatever it is declared as', async () => {
    await expect(checkPermission('application/pdf', b64(htmlDocument()), MAX)).rejects.toMatchObject({ status: 400, code: 'invalid_permission_content' });
  });

  it('is refused with 413 when larger than the configured limit, before it is decoded', async () => {
    const big = Buffer.concat([pdfDocument(), Buffer.alloc(MAX)]);
    await expect(checkPermission('application/pdf', b64(big), MAX)).rejects.toMatchObject({ status: 413, code: 'permission_too_large' });
  });

  it('is refused when the data is not base64', async () => {
    await expect(checkPermission('application/pdf', '%PDF-1.4 not base64!', MAX)).rejects.toMatchObject({ status: 400, code: 'invalid_permission_data' });
  });

  it('is refused when declared as a type that is not allowed', async () => {
    await expect(checkPermission('text/html', b64(htmlDocument()), MAX)).rejects.toMatchObject({ status: 400, code: 'invalid_permission_type' });
  });

  it('is stored under its request, named by its checked type', () => {
    expect(permissionKey('dsar_x', 'image/jpeg')).toBe('requests/dsar_x/agent-permission.jpg');
  });
});
