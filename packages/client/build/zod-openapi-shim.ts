/**
 * Build-time stand-in for `@anatine/zod-openapi`, which the contract uses to annotate its
 * schemas for the OpenAPI document. The client needs the schemas, not the annotations, so
 * the bundle carries this no-op instead of the library (and its dependencies).
 */
export function extendApi<T>(schema: T): T {
  return schema;
}
