import { mkdirSync, writeFileSync } from 'node:fs';
import { generateOpenApiDocument } from '../src/openapi';

const out = new URL('../dist/openapi.json', import.meta.url);
mkdirSync(new URL('.', out), { recursive: true });
writeFileSync(out, `${JSON.stringify(generateOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${out.pathname}`);
