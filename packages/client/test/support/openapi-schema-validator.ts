import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/* eslint-disable @typescript-eslint/no-explicit-any -- walking a JSON document */
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * The document is OpenAPI 3.1: its schemas are JSON Schema already (null is `type: [t, "null"]`
 * or `anyOf` with `{type: "null"}`). Only the references are pointed into our copy, and the
 * `example`/`x-` annotations dropped.
 */
function toJsonSchema(node: any): any {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: any = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key.startsWith('x-')) continue;
    if (key === '$ref' && typeof value === 'string')
      out.$ref = value.replace('#/components/schemas/', 'served#/definitions/');
    else out[key] = toJsonSchema(value);
  }
  return out;
}

/** Validates response bodies against the response schemas of a served OpenAPI 3.1 document. */
export function openApiResponseValidator(doc: any) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'served', definitions: toJsonSchema(doc.components?.schemas ?? {}) });
  const cache = new Map<string, ValidateFunction>();
  return (method: string, path: string, status: number, body: unknown): string[] => {
    const operation = doc.paths?.[path]?.[method.toLowerCase()];
    if (!operation) return [`${method} ${path} is not in the document`];
    const response = operation.responses?.[String(status)];
    if (!response) return [`${method} ${path} does not declare status ${status}`];
    const key = `${method} ${path} ${status}`;
    let validate = cache.get(key);
    if (!validate) {
      validate = ajv.compile(toJsonSchema(response.content?.['application/json']?.schema ?? {}));
      cache.set(key, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${key}: ${e.instancePath} ${e.message}`);
  };
}
