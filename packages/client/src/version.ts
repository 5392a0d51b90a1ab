// A named import: the bundle keeps this one field of package.json, not the whole manifest.
import { version } from '../package.json';

/** This package's version, sent in the User-Agent header. */
export const CLIENT_VERSION: string = version;
