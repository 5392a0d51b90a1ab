import { generateOpenApiDocument } from '@1security/contract/openapi';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';

/* eslint-disable @typescript-eslint/no-explicit-any -- walking a JSON document */
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * The document is OpenAPI 3.1, whose schemas are JSON Schema (null is `type: [t, "null"]` or
 * `anyOf` with `{type: "null"}`): only the references are pointed at our copy.
 */
function toJsonSchema(node: any): any {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: any = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'mediaExamples') continue;
    if (key === '$ref' && typeof value === 'string')
      out.$ref = value.replace('#/components/schemas/', 'openapi#/definitions/');
    else out[key] = toJsonSchema(value);
  }
  return out;
}

const doc = generateOpenApiDocument();
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'openapi', definitions: toJsonSchema(doc.components.schemas) });
const cache = new Map<string, ValidateFunction>();

/**
 * Asserts that a response body matches what the served OpenAPI document declares for this
 * route and status: the document must not promise what the server does not deliver.
 */
export function expectMatchesOpenApi(path: string, status: number, body: unknown, method = 'get'): void {
  const operation = doc.paths[path]?.[method];
  if (!operation) throw new Error(`no ${method.toUpperCase()} ${path} in the OpenAPI document`);
  const response = operation.responses[String(status)];
  if (!response) throw new Error(`${method.toUpperCase()} ${path} does not declare status ${status}`);
  const key = `${method} ${path} ${status}`;
  let validate = cache.get(key);
  if (!validate) {
    validate = ajv.compile(toJsonSchema(response.content['application/json'].schema));
    cache.set(key, validate);
  }
  const valid = validate(body);
  expect(valid ? [] : validate.errors, `${key} body matches the OpenAPI schema`).toEqual([]);
}
