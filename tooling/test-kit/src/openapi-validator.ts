import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/* eslint-disable @typescript-eslint/no-explicit-any -- walking a JSON document */
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/**
 * The document is OpenAPI 3.1, whose schemas are JSON Schema 2020-12 (null is
 * `type: [t, "null"]` or `anyOf` with `{type: "null"}`): only the references are pointed into
 * our copy, and the `example`/`x-` annotations dropped.
 */
function toJsonSchema(node: any): any {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: any = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'mediaExamples' || key.startsWith('x-')) continue;
    if (key === '$ref' && typeof value === 'string')
      out.$ref = value.replace('#/components/schemas/', 'openapi#/$defs/');
    else out[key] = toJsonSchema(value);
  }
  return out;
}

/**
 * Validates response bodies against the response schemas of an OpenAPI 3.1 document (the
 * generated one or the one a server serves), read as JSON Schema 2020-12. The returned function
 * lists what is wrong with a body — empty when it matches what the document declares for that
 * route and status, or names the missing route or status.
 */
export function openApiResponseValidator(doc: any) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi', $defs: toJsonSchema(doc.components?.schemas ?? {}) });
  const cache = new Map<string, ValidateFunction>();
  return (method: string, path: string, status: number, body: unknown): string[] => {
    const operation = doc.paths?.[path]?.[method.toLowerCase()];
    if (!operation) return [`${method.toUpperCase()} ${path} is not in the OpenAPI document`];
    const response = operation.responses?.[String(status)];
    if (!response) return [`${method.toUpperCase()} ${path} does not declare status ${status}`];
    const key = `${method.toUpperCase()} ${path} ${status}`;
    let validate = cache.get(key);
    if (!validate) {
      validate = ajv.compile(toJsonSchema(response.content?.['application/json']?.schema ?? {}));
      cache.set(key, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${key}: ${e.instancePath || '/'} ${e.message}`);
  };
}
