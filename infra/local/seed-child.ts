/**
 * The demo seeding's process (started by `seedCompanyStoresInChild` in seed.ts). Thousands of generated
 * people, items and call-history objects are garbage once written; in a process that exits they leave
 * no trace in the runtime's resident memory. It reaches the emulators through the environment the
 * runtime set (AWS_ENDPOINT_URL_*, its credentials), prints the counts as one JSON line and exits. It
 * stops too if its stdin ends (the runtime went away).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { seedCompanyStores } from './seed.ts';

process.stdin.on('end', () => process.exit(1));
process.stdin.resume();

const crowd = Number(process.env.DSAR_SEED_CROWD);
const db = new DynamoDBClient({});
const s3 = new S3Client({ forcePathStyle: true });
try {
  const counts = await seedCompanyStores(db, s3, crowd);
  process.stdout.write(`${JSON.stringify(counts)}\n`, () => process.exit(0));
} catch (err) {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
