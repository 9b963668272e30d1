/** Staging: where connector runs put a subject's records between collection and assembly. */
export { StagingWriter, type StagingWriterOptions, type StagingResult } from './writer.ts';
export { readStaged } from './reader.ts';
export { deleteKeys, deletePrefix, deleteStaging } from './cleanup.ts';
export { stagingKey, stagingPrefix, objectSlug } from './keys.ts';
