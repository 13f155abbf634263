/**
 * The JSON Schemas of /openapi.json, converted from the very zod schemas the routes parse input with and type
 * their output by: requests as zod reads them (`io: 'input'`: defaults make fields optional, coercion shows the
 * wire type), responses as the handlers write them (`io: 'output'`).
 */
import { z } from 'zod';
import { errorBodySchema } from '../errors.ts';
import { userIdSchema } from '../auth/tokens.ts';
import { eventSchema, ingestBodySchema, ingestResultJson, notificationIdJson } from '../ingest/event-schema.ts';
import { listQuery, notificationJson, oneId, someIds, unreadCountJson } from '../routes/notifications.ts';
import { preferencesBody, preferencesJson } from '../routes/preferences.ts';
import { erasedJson, exportJson } from '../routes/users.ts';
import { healthJson, readyJson } from '../routes/health.ts';
import { demoBody, demoSessionJson } from '../routes/demo.ts';

export type JsonSchema = Record<string, unknown>;

// OpenAPI 3.1 schemas are JSON Schema 2020-12, the dialect zod writes with this target.
const target = 'draft-2020-12';
const uri = (id: string) => `#/components/schemas/${id}`;

function requestRegistry() {
  const registry = z.registry<{ id: string }>();
  registry.add(userIdSchema, { id: 'UserId' });
  registry.add(eventSchema, { id: 'IngestEvent' });
  registry.add(ingestBodySchema, { id: 'IngestBody' });
  registry.add(oneId, { id: 'OneId' });
  registry.add(someIds, { id: 'SomeIds' });
  registry.add(preferencesBody, { id: 'PreferencesBody' });
  registry.add(demoBody, { id: 'DemoNotificationBody' });
  return registry;
}

function responseRegistry() {
  const registry = z.registry<{ id: string }>();
  registry.add(errorBodySchema, { id: 'Error' });
  registry.add(notificationIdJson, { id: 'NotificationId' });
  registry.add(notificationJson, { id: 'Notification' });
  registry.add(unreadCountJson, { id: 'UnreadCount' });
  registry.add(preferencesJson, { id: 'Preferences' });
  registry.add(ingestResultJson, { id: 'IngestResult' });
  registry.add(erasedJson, { id: 'Erased' });
  registry.add(exportJson, { id: 'UserExport' });
  registry.add(healthJson, { id: 'Health' });
  registry.add(readyJson, { id: 'Ready' });
  registry.add(demoSessionJson, { id: 'DemoSession' });
  return registry;
}

// zod gives each registered schema a `$schema` and an `$id` equal to its ref; inside components the dialect is the
// document's, and an `$id` with a fragment is not allowed in 2020-12.
function bare(schemas: Record<string, JsonSchema>): Record<string, JsonSchema> {
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _, $id: __, ...schema }]) => [id, schema]));
}

/** Every named schema of the document, requests and responses, keyed by component name. */
export function componentSchemas(): Record<string, JsonSchema> {
  const requests = z.toJSONSchema(requestRegistry(), { target, io: 'input', uri }).schemas as Record<string, JsonSchema>;
  const responses = z.toJSONSchema(responseRegistry(), { target, io: 'output', uri }).schemas as Record<string, JsonSchema>;
  return { ...bare(requests), ...bare(responses) };
}

/** The list query as OpenAPI parameters, one per property of the zod schema. */
export function listQueryParameters(descriptions: Record<string, string>) {
  const schema = z.toJSONSchema(listQuery, { target, io: 'input' }) as { properties: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    in: 'query',
    description: descriptions[name],
    required: schema.required?.includes(name) ?? false,
    schema: property,
  }));
}
