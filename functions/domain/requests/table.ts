/**
 * Direct access to the request table for what the repository does not offer: the escalation job's
 * writes of fired thresholds and reads of the open index and yearly index that report how many items
 * they read. Status and deadline changes go through RequestRepository.update, the one conditional write. Built from the environment like
 * the repository; tests and the benchmark pass their own.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '#commons/clients';
import { resources } from '#commons/env';

export interface TableAccess {
  db: DynamoDBDocumentClient;
  table: string;
}

export function tableAccess(): TableAccess {
  return { db: dynamo(), table: resources.table() };
}
