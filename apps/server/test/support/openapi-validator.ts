import { generateOpenApiDocument } from '@1security/contract/openapi';
import { openApiResponseValidator } from '@1security/test-kit';
import { expect } from 'vitest';

const validate = openApiResponseValidator(generateOpenApiDocument());

/**
 * Asserts that a response body matches what the generated OpenAPI document declares for this
 * route and status: the document must not promise what the server does not deliver.
 */
export function expectMatchesOpenApi(path: string, status: number, body: unknown, method = 'get'): void {
  expect(
    validate(method, path, status, body),
    `${method.toUpperCase()} ${path} ${status} body matches the OpenAPI schema`,
  ).toEqual([]);
}
