/**
 * The handlers validate bodies with zod and docs/openapi.yaml promises what they accept: the two cannot
 * drift. Each handler's zod schema is converted to JSON Schema (zod 4's `z.toJSONSchema`) and compared
 * with the document's requestBody schema, after both are reduced to what validates: descriptions and
 * examples go, and so do formats (annotations in JSON Schema 2020-12; zod writes its own pattern for them).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bodies as actionBodies } from '../../functions/handlers/api/admin-act.ts';
import { bodies as conversationBodies } from '../../functions/handlers/api/admin-conversation.ts';
import { bodies as deadlineBodies } from '../../functions/handlers/api/admin-deadline.ts';
import { bodies as taskBodies } from '../../functions/handlers/api/admin-task-act.ts';
import { bodies as releaseBodies } from '../../functions/handlers/api/admin-release.ts';
import { createRequestBody } from '../../functions/handlers/api/create-request.ts';
import { checkSuppressionsBody } from '../../functions/handlers/api/admin-suppressions.ts';
import { replyBody } from '../../functions/handlers/api/subject-reply.ts';
import { verifyBody } from '../../functions/handlers/api/verify-request.ts';
import { openapi } from '../support/contract.ts';

type Schema = Record<string, unknown>;

/** The requestBody schema the document gives an operation. */
function documentedBody(operationId: string): Schema {
  for (const methods of Object.values(openapi.paths)) {
    for (const op of Object.values(methods)) {
      if (op.operationId === operationId) {
        const schema = op.requestBody?.content?.['application/json']?.schema as Schema | undefined;
        if (!schema) throw new Error(`${operationId} documents no JSON request body`);
        return schema;
      }
    }
  }
  throw new Error(`no operation ${operationId} in docs/openapi.yaml`);
}

function deref(ref: string): Schema {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], openapi) as Schema;
}

const ANNOTATIONS = new Set(['$schema', 'description', 'example', 'examples', 'title', 'format']);

/** What a schema validates, with references inlined, annotations dropped and `required` in order. */
function reduced(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(reduced);
  if (!schema || typeof schema !== 'object') return schema;
  let s = schema as Schema;
  if (typeof s.$ref === 'string') s = deref(s.$ref);
  const out: Schema = {};
  for (const [key, value] of Object.entries(s)) {
    if (ANNOTATIONS.has(key)) continue;
    // zod spells out a format as a pattern of its own; the document names the format.
    if (key === 'pattern' && s.format !== undefined) continue;
    if (key === 'properties') {
      const props = Object.entries(value as Schema).map(([name, sub]) => [name, reduced(sub)]);
      if (props.length) out.properties = Object.fromEntries(props);
      continue;
    }
    out[key] = key === 'required' ? [...(value as string[])].sort() : reduced(value);
  }
  return out;
}

const fromZod = (schema: z.core.$ZodType) => reduced(z.toJSONSchema(schema, { io: 'input' }));

const BODIES: { operationId: string; schema: z.core.$ZodType }[] = [
  { operationId: 'createRequest', schema: createRequestBody },
  { operationId: 'verifyRequest', schema: verifyBody },
  { operationId: 'replyAsSubject', schema: replyBody },
  { operationId: 'extendDeadline', schema: deadlineBodies.extend },
  { operationId: 'pauseClock', schema: deadlineBodies.pause },
  { operationId: 'resumeClock', schema: deadlineBodies.resume },
  { operationId: 'addNote', schema: conversationBodies.notes },
  { operationId: 'messageSubject', schema: conversationBodies.messages },
  { operationId: 'withholdFromPackage', schema: releaseBodies.withhold },
  { operationId: 'checkSuppressions', schema: checkSuppressionsBody },
];

/** `accept-partial` -> `AcceptPartialAction`, the component the action route's body refers to. */
const componentOf = (action: string) => `${action.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}Action`;

describe("the document's request bodies and the handlers' zod schemas", () => {
  it.each(BODIES)('agree for $operationId', ({ operationId, schema }) => {
    expect(reduced(documentedBody(operationId))).toEqual(fromZod(schema));
  });

  it.each(Object.keys(actionBodies))('agree for the staff action %s', (action) => {
    const component = openapi.components?.schemas?.[componentOf(action)];
    expect({ action, documented: component !== undefined }).toEqual({ action, documented: true });
    expect(reduced(component)).toEqual(fromZod(actionBodies[action as keyof typeof actionBodies]));
  });

  it("lists exactly the handler's actions in the action route's body", () => {
    const refs = (documentedBody('actOnRequest').anyOf as { $ref: string }[]).map((r) => r.$ref);
    expect(refs.sort()).toEqual(Object.keys(actionBodies).map((a) => `#/components/schemas/${componentOf(a)}`).sort());
  });

  it.each(Object.keys(taskBodies))('agree for the task action %s', (action) => {
    const component = openapi.components?.schemas?.[`Task${componentOf(action)}`];
    expect({ action, documented: component !== undefined }).toEqual({ action, documented: true });
    expect(reduced(component)).toEqual(fromZod(taskBodies[action as keyof typeof taskBodies]));
  });

  it("lists exactly the handler's actions in the task route's body", () => {
    const refs = (documentedBody('actOnTask').anyOf as { $ref: string }[]).map((r) => r.$ref);
    expect(refs.sort()).toEqual(Object.keys(taskBodies).map((a) => `#/components/schemas/Task${componentOf(a)}`).sort());
  });

  it('leave no documented request body unchecked', () => {
    const withBodies = Object.values(openapi.paths)
      .flatMap((methods) => Object.values(methods))
      .filter((op) => op.requestBody)
      .map((op) => op.operationId);
    expect(withBodies.sort()).toEqual([...BODIES.map((b) => b.operationId), 'actOnRequest', 'actOnTask'].sort());
  });
});
