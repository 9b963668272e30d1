/**
 * Direct access to the request table for the few writes RequestRepository.update cannot express: a
 * condition on something other than the status (an extension not yet made, a threshold not yet fired)
 * and reads of the open index that report how many items they read. Built from the environment like
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
