/**
 * CRC-32 of two pieces of data joined, from the CRC-32 and length of each (zlib's crc32_combine): an
 * entry of the package is deflated in pieces on several threads, each taking the CRC of its own piece,
 * and the ZIP needs the CRC of the whole. Node's zlib has crc32 but not its combine.
 *
 * The CRC of A followed by B equals the CRC of A run through len(B) zero bytes, xor the CRC of B; running
 * through n zeros is a linear operator over GF(2), applied by squaring a 32x32 bit matrix log2(n) times.
 */
const POLY = 0xedb88320;

function times(matrix: Uint32Array, vector: number): number {
  let sum = 0;
  for (let i = 0; vector !== 0; i++, vector >>>= 1) if (vector & 1) sum ^= matrix[i]!;
  return sum >>> 0;
}

function square(out: Uint32Array, matrix: Uint32Array): void {
  for (let n = 0; n < 32; n++) out[n] = times(matrix, matrix[n]!);
}

export function crc32Combine(crc1: number, crc2: number, length2: number): number {
  if (length2 <= 0) return crc1 >>> 0;
  let even = new Uint32Array(32);
  let odd = new Uint32Array(32);
  // The operator for one zero bit, then for two and four bits by squaring.
  odd[0] = POLY;
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row >>> 0;
  square(even, odd);
  square(odd, even);
  let crc = crc1 >>> 0;
  let len = length2;
  do {
    // Apply zeros a byte's worth of bits at a time: first 8 bits (one byte), then 16, 32...
    square(even, odd);
    if (len % 2 === 1) crc = times(even, crc);
    len = Math.floor(len / 2);
    if (len === 0) break;
    square(odd, even);
    if (len % 2 === 1) crc = times(odd, crc);
    len = Math.floor(len / 2);
  } while (len !== 0);
  return (crc ^ crc2) >>> 0;
}
