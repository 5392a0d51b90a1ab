/** This package's version, sent in the User-Agent header. Kept equal to package.json by a test. */
export const CLIENT_VERSION = '0.1.0';
