import { InvalidArgumentError } from 'commander';
import { isValid } from 'ulid';

function idParser(what: string, findIt: string): (raw: string) => string {
  return (raw) => {
    if (!isValid(raw)) {
      throw new InvalidArgumentError(
        `Malformed ${what} id: ids are 26-character ULIDs such as 01J2Z3K4M5N6P7Q8R9S0T1V2W3; ${findIt}.`,
      );
    }
    // Stored ids are upper case; ULIDs are case-insensitive.
    return raw.toUpperCase();
  };
}

/** Commander parser for a `--tenant` option: a malformed id is a usage error naming the value. */
export const parseTenantId = idParser('tenant', '`pnpm admin tenants list` shows them');

/** Commander parser for a key id argument. */
export const parseKeyId = idParser('key', '`pnpm admin keys list --tenant <TENANT_ID>` shows them');

/** Commander parser for a user id argument. */
export const parseUserId = idParser('user', '`pnpm admin users list --tenant <TENANT_ID>` shows them');
