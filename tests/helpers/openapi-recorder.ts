/**
 * Holds the contract tests to /openapi.json: every response they receive must be documented there (method, path
 * template, status, required headers, media type) and its JSON body must match the documented schema. Bodies are
 * checked with Ajv, a JSON Schema 2020-12 validator independent of zod, so a wrong conversion fails too.
 */
import { afterAll, beforeAll } from 'bun:test';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { createOpenApiDocument, type OpenApiDocument } from '../../src/openapi/document.ts';

export interface Exchange {
  method: string;
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

interface ResponseObject {
  $ref?: string;
  headers?: Record<string, { required?: boolean; schema?: object }>;
  content?: Record<string, { schema: object }>;
}

const base = 'https://belfry.invalid/openapi.json';
const pointer = (...parts: string[]) => `${base}#/${parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

/** Checks exchanges against one document; returns what is wrong with each (nothing when it is documented). */
export function createOpenApiChecker(document: OpenApiDocument) {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  // The document's own keywords are not JSON Schema; refs resolve into it by JSON pointer.
  ajv.addVocabulary(['openapi', 'info', 'tags', 'paths', 'components']);
  ajv.addSchema({ ...document, $id: base });
  const templates = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  const resolve = (value: ResponseObject): [ResponseObject, string[]] => {
    const name = value.$ref?.replace('#/components/responses/', '');
    return name ? [document.components.responses[name] as ResponseObject, ['components', 'responses', name]] : [value, []];
  };

  function check(exchange: Exchange, response: ResponseObject, where: string[]): string[] {
    const [resolved, at] = resolve(response);
    const path = at.length > 0 ? at : where;
    const problems: string[] = [];
    for (const [name, header] of Object.entries(resolved.headers ?? {})) {
      const value = exchange.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`header ${name} is documented as required but missing`);
        continue;
      }
      const validate = ajv.getSchema(pointer(...path, 'headers', name, 'schema'));
      const typed = (header.schema as { type?: string } | undefined)?.type === 'integer' ? Number(value) : value;
      if (validate && !validate(typed)) problems.push(`header ${name}: ${ajv.errorsText(validate.errors)}`);
    }
    const mediaType = exchange.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
    if (!resolved.content) {
      if (exchange.body !== '') problems.push('a body where the document has none');
      return problems;
    }
    if (!(mediaType in resolved.content)) {
      return [...problems, `content type ${mediaType || '(none)'} is not one of ${Object.keys(resolved.content).join(', ')}`];
    }
    if (mediaType !== 'application/json') return problems;
    let body: unknown;
    try {
      body = JSON.parse(exchange.body);
    } catch {
      return [...problems, 'the body is not JSON'];
    }
    const validate = ajv.getSchema(pointer(...path, 'content', mediaType, 'schema'));
    if (!validate) return [...problems, 'no schema to validate the body with'];
    if (!validate(body)) problems.push(`body: ${ajv.errorsText(validate.errors)} in ${exchange.body.slice(0, 300)}`);
    return problems;
  }

  return (exchange: Exchange): string[] => {
    const pathname = new URL(exchange.url).pathname;
    const label = `${exchange.method} ${pathname} → ${exchange.status}`;
    const found = templates.find(({ pattern }) => pattern.test(pathname));
    const fail = (problems: string[]) => problems.map((problem) => `${label}: ${problem}`);
    // Paths outside the document are the app's 404.
    if (!found) {
      if (exchange.status !== 404) return fail(['the path is not in the document']);
      return fail(check(exchange, { $ref: '#/components/responses/NotFound' }, []));
    }
    const item = document.paths[found.template] as Record<string, unknown>;
    const method = exchange.method.toLowerCase();
    const operation = item[method] as { responses: Record<string, ResponseObject> } | undefined;
    if (!operation) {
      const other = item['x-other-methods'] as ResponseObject | undefined;
      if (exchange.status !== 405 || !other) return fail([`${exchange.method} is not documented on ${found.template}`]);
      return fail(check(exchange, other, ['paths', found.template, 'x-other-methods']));
    }
    const response = operation.responses[String(exchange.status)];
    if (!response) return fail([`status ${exchange.status} is not documented for ${exchange.method} ${found.template}`]);
    return fail(check(exchange, response, ['paths', found.template, method, 'responses', String(exchange.status)]));
  };
}

const checkDocumented = createOpenApiChecker(createOpenApiDocument());
let checking = false;
let checked = 0;

/** Call at the top of a contract test file: every response its HTTP helpers receive is checked against the document. */
export function checkResponsesAgainstOpenApi() {
  beforeAll(() => {
    checking = true;
    checked = 0;
  });
  afterAll(() => {
    checking = false;
    // A wrapper bypassed by every call would pass silently.
    if (checked === 0) throw new Error('no response was checked against /openapi.json');
  });
}

/** fetch for the test helpers; while checking, a response the document does not describe throws. */
export async function documentedFetch(url: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(url, init);
  if (!checking) return response;
  const exchange = { method: init?.method ?? 'GET', url, status: response.status, headers: response.headers, body: await response.clone().text() };
  const problems = checkDocumented(exchange);
  checked++;
  if (problems.length > 0) throw new Error(`not as documented in /openapi.json:\n  ${problems.join('\n  ')}`);
  return response;
}
