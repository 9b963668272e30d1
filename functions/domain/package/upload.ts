/**
 * Uploads the finished ZIP from its file in the spool directory: one PutObject when it fits in one part,
 * otherwise a multipart upload whose parts are read from the file into two part buffers that are reused
 * for every part (one being sent while the next is read). lib-storage's `Upload`, used before, copied the
 * ZIP's 64 KiB chunks into a new 5 MiB buffer per part: at 1M records about 40 MiB of chunks and 40 MiB of
 * part buffers became garbage that V8 collects late (external memory), which was most of the assembly's
 * peak above the spooling phase (docs/benchmarks.md, "Package assembly").
 */
import { open, type FileHandle } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';

/** S3's smallest part (but the last): fewer bytes held per buffer; 10,000 parts still allow a 50 GB ZIP. */
export const PART_SIZE = 5 * 1024 * 1024;

/** Parts in flight at once, each with its own buffer. */
const BUFFERS = 2;

export interface UploadTarget {
  s3: S3Client;
  bucket: string;
  key: string;
  contentType: string;
  contentDisposition: string;
  sse?: ServerSideEncryption;
}

/** Uploads `path` (`size` bytes) to the target; on any failure aborts the multipart upload, so no object is left. */
export async function uploadFile(target: UploadTarget, path: string, size: number, partSize = PART_SIZE): Promise<void> {
  const params = {
    Bucket: target.bucket,
    Key: target.key,
    ContentType: target.contentType,
    ContentDisposition: target.contentDisposition,
    ...(target.sse ? { ServerSideEncryption: target.sse } : {}),
  };
  const file = await open(path, 'r');
  try {
    if (size <= partSize) {
      const body = Buffer.allocUnsafe(size);
      await readFully(file, body, 0);
      await target.s3.send(new PutObjectCommand({ ...params, Body: body, ContentLength: size }));
      return;
    }
    const { UploadId } = await target.s3.send(new CreateMultipartUploadCommand(params));
    try {
      const parts: CompletedPart[] = [];
      const buffers = Array.from({ length: BUFFERS }, () => Buffer.allocUnsafe(partSize));
      const inFlight: Array<Promise<void> | undefined> = [];
      for (let number = 1, offset = 0; offset < size; number++, offset += partSize) {
        const slot = (number - 1) % BUFFERS;
        // The buffer is reused only once the part it held has been sent.
        await inFlight[slot];
        const body = buffers[slot]!.subarray(0, Math.min(partSize, size - offset));
        await readFully(file, body, offset);
        const partNumber = number;
        inFlight[slot] = target.s3
          .send(new UploadPartCommand({ Bucket: params.Bucket, Key: params.Key, UploadId, PartNumber: partNumber, Body: body, ContentLength: body.length }))
          .then(({ ETag, ChecksumCRC32 }) => {
            parts.push({ PartNumber: partNumber, ETag, ...(ChecksumCRC32 ? { ChecksumCRC32 } : {}) });
          });
        // Heard when awaited; a part failing while the next one is read must not go unhandled meanwhile.
        inFlight[slot].catch(() => undefined);
      }
      await Promise.all(inFlight);
      parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
      await target.s3.send(new CompleteMultipartUploadCommand({ Bucket: params.Bucket, Key: params.Key, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (err) {
      await target.s3.send(new AbortMultipartUploadCommand({ Bucket: params.Bucket, Key: params.Key, UploadId })).catch(() => undefined);
      throw err;
    }
  } finally {
    await file.close();
  }
}

async function readFully(file: FileHandle, into: Buffer, position: number): Promise<void> {
  let filled = 0;
  while (filled < into.length) {
    const { bytesRead } = await file.read(into, filled, into.length - filled, position + filled);
    if (bytesRead === 0) throw new Error(`the ZIP file ended ${into.length - filled} bytes early`);
    filled += bytesRead;
  }
}
