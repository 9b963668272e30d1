/**
 * The agent's signed permission (11 CCR 7063(a)): a PDF, PNG or JPEG the agent uploads with the request.
 * Its type is what its first bytes say (file-type reads the magic numbers), and it must also be the type
 * the agent declared: a file that claims to be a PDF and is not, or is a PDF but was declared an image,
 * is refused. It is stored in the private documents bucket under the request, encrypted by the bucket's
 * default (SSE-KMS with the stack's key on AWS), and only ever read back through a staff link that is
 * presigned for minutes and audited (./permission-link.ts). Nothing here is written before it is checked.
 */
import { createHash } from 'node:crypto';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { fileTypeFromBuffer } from 'file-type';
import { badRequest, RequestError } from '#commons/errors';
import type { AppContext } from '../context.ts';
import type { AgentPermission } from '../requests/model.ts';

export const PERMISSION_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export type PermissionType = (typeof PERMISSION_TYPES)[number];

const EXTENSIONS: Record<PermissionType, string> = { 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg' };

/** A permission checked and ready to store: the bytes, what they are, and their digest. */
export interface CheckedPermission {
  bytes: Buffer;
  contentType: PermissionType;
  sha256: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The largest base64 text `maxBytes` of document can be: longer input is refused before decoding. */
export function base64Length(maxBytes: number): number {
  return Math.ceil(maxBytes / 3) * 4;
}

/**
 * Decodes and checks the document: within the size limit, and truly the declared type by its bytes.
 * A 413 for a document over the limit, a 400 naming what is wrong otherwise.
 */
export async function checkPermission(declared: string, data: string, maxBytes: number): Promise<CheckedPermission> {
  if (!(PERMISSION_TYPES as readonly string[]).includes(declared)) {
    throw badRequest('invalid_permission_type', `the permission document must be one of ${PERMISSION_TYPES.join(', ')}`);
  }
  if (data.length > base64Length(maxBytes)) throw tooLarge(maxBytes);
  if (data.length === 0 || data.length % 4 !== 0 || !BASE64.test(data)) {
    throw badRequest('invalid_permission_data', 'the permission document must be sent as standard base64');
  }
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > maxBytes) throw tooLarge(maxBytes);
  const detected = await fileTypeFromBuffer(bytes);
  if (!detected || !(PERMISSION_TYPES as readonly string[]).includes(detected.mime)) {
    throw badRequest('invalid_permission_content', 'the permission document is not a PDF, PNG or JPEG file');
  }
  if (detected.mime !== declared) {
    throw badRequest('permission_type_mismatch', `the permission document is ${detected.mime}, not ${declared} as declared`);
  }
  return { bytes, contentType: declared as PermissionType, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const tooLarge = (maxBytes: number) =>
  new RequestError(413, 'permission_too_large', `the permission document must be at most ${Math.floor(maxBytes / 1024)} KiB`);

/** Where a request's permission lives in the documents bucket. */
export function permissionKey(requestId: string, contentType: PermissionType): string {
  return `requests/${requestId}/agent-permission.${EXTENSIONS[contentType]}`;
}

/** The documents bucket; a function without one was not granted access to agents' documents. */
export function documentsBucket(ctx: AppContext): string {
  if (!ctx.documentsBucket) throw new Error('this function has no documents bucket (DSAR_DOCUMENTS_BUCKET)');
  return ctx.documentsBucket();
}

/** Stores the checked document under the request; the bucket's default encryption applies. */
export async function storePermission(ctx: AppContext, requestId: string, doc: CheckedPermission): Promise<AgentPermission> {
  const key = permissionKey(requestId, doc.contentType);
  await ctx.s3.send(
    new PutObjectCommand({
      Bucket: documentsBucket(ctx),
      Key: key,
      Body: doc.bytes,
      ContentType: doc.contentType,
      ContentLength: doc.bytes.length,
    }),
  );
  return { key, contentType: doc.contentType, bytes: doc.bytes.length, sha256: doc.sha256 };
}

/** Removes a stored permission whose request was never written (a filing that failed after the upload). */
export async function removePermission(ctx: AppContext, key: string): Promise<void> {
  await ctx.s3.send(new DeleteObjectCommand({ Bucket: documentsBucket(ctx), Key: key }));
}
