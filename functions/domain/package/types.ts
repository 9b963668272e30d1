/** The inputs and outputs of package assembly (access and portability answers). */
import type { S3Client } from '@aws-sdk/client-s3';
import type { DsarConfig } from '#commons/config';
import type { WithheldPart } from './redaction.ts';

/** What one connector run staged: one JSON-lines object per object name. */
export interface PackageSource {
  connectorId: string;
  displayName: string;
  objects: Array<{ object: string; stagingKey: string; count: number }>;
}

export type PackageType = 'access' | 'portability';

export interface PackageRequest {
  requestId: string;
  type: PackageType;
  receivedDate: string;
  dueDate: string;
  jurisdiction: string;
  subject: { email: string; name?: string };
  /** The request's language tag (`nb-NO`): the report is written in it, English when absent or unknown. */
  locale?: string;
  /** IANA zone the report shows moments in (the request's, deadlines/request-zone.ts); the organisation's when absent. */
  timeZone?: string;
}

/** A connector whose data staff accepted as missing, on record; the report says so and why. */
export interface MissingSource {
  connectorId: string;
  displayName: string;
  reason: string;
}

export interface AssembleInput {
  s3: S3Client;
  stagingBucket: string;
  exportsBucket: string;
  /** Where the ZIP goes in the exports bucket. */
  key: string;
  request: PackageRequest;
  config: DsarConfig;
  sources: PackageSource[];
  missing?: MissingSource[];
  /** What staff withheld before release, with the reasons the report states (release/). */
  withheld?: Array<WithheldPart & { reason: string; note?: string }>;
  now?: Date;
  /**
   * How the records are split across threads (assemble.ts): records per slice of a staged object, and the
   * most worker threads (default 1: everything in the calling thread; see DEFAULT_WORKERS for why).
   */
  parallel?: { sliceRecords?: number; workers?: number };
  /** Server-side encryption of the ZIP (`aws:kms` on AWS; emulators accept and ignore it). */
  sse?: 'AES256' | 'aws:kms';
}

export interface AssembleResult {
  key: string;
  /** Size of the ZIP. */
  bytes: number;
  /** Records in the package (for portability: those that passed the origin filter). */
  records: number;
  /** Entry names inside the ZIP, in order. */
  files: string[];
}
