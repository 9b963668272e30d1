/**
 * AWS SDK clients, one of each per process. Endpoints come from the SDK's own environment variables
 * (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_S3`, ...), which the embedded runtime sets to its
 * emulators, so no code here knows whether it runs locally. `DSAR_S3_FORCE_PATH_STYLE` is for S3
 * emulators that cannot serve virtual-hosted buckets.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';

let ddb: DynamoDBDocumentClient | undefined;
let s3: S3Client | undefined;
let ses: SESv2Client | undefined;
let sfn: SFNClient | undefined;

export function dynamo(): DynamoDBDocumentClient {
  ddb ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return ddb;
}

export function s3Client(): S3Client {
  s3 ??= new S3Client({ forcePathStyle: process.env.DSAR_S3_FORCE_PATH_STYLE === 'true' });
  return s3;
}

export function sesClient(): SESv2Client {
  ses ??= new SESv2Client({});
  return ses;
}

export function sfnClient(): SFNClient {
  sfn ??= new SFNClient({});
  return sfn;
}

/** Forgets the clients, so the next call builds them from the environment again (runtime restarts). */
export function resetClients(): void {
  ddb = s3 = ses = sfn = undefined;
}
