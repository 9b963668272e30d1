/** The access package (Art. 15) and the portability package (Art. 20), streamed as a ZIP to S3. */
export { assemblePackage } from './assemble.ts';
export type { AssembleInput, AssembleResult, MissingSource, PackageRequest, PackageSource, PackageType } from './types.ts';
export { DATA_SCHEMA_ID } from './data-json.ts';
export { guardCell } from './csv.ts';
export { escapeHtml } from './html.ts';
export { REPORT_ROWS } from './plan.ts';
