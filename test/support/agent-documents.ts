/**
 * Small real documents for agents' signed permissions: a minimal PDF, PNG and JPEG (their magic numbers
 * and enough structure for a type sniffer), and a file that is none of them.
 */
import { deflateSync } from 'node:zlib';

export function pdfDocument(text = 'I authorise my agent to make this request on my behalf.'): Buffer {
  return Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${text}\ntrailer << /Root 1 0 R >>\n%%EOF\n`, 'latin1');
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A 1x1 white PNG. */
export function pngDocument(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from([0, 255, 255, 255]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The start of a JPEG (SOI, a JFIF APP0 segment) and its end marker: what a sniffer reads. */
export function jpegDocument(): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from('JFIF\0', 'latin1'),
    Buffer.from([0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]),
  ]);
}

/** An HTML page: what a document must never be served as. */
export function htmlDocument(): Buffer {
  return Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>', 'utf8');
}

/** The agent part of an intake body, with a PDF permission unless told otherwise. */
export function agentInput(overrides: Record<string, unknown> = {}, doc: Buffer = pdfDocument(), contentType = 'application/pdf') {
  return {
    name: 'Dana Agent',
    email: 'dana@agents.example.org',
    organisation: 'Privacy Helpers',
    relationship: 'authorised_agent',
    permission: { contentType, data: doc.toString('base64') },
    ...overrides,
  };
}
