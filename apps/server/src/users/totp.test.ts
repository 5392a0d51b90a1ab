import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { acceptedTotpStep, newTotpSecret, otpauthUrl, TotpSecretBox } from './totp';

const key = () => randomBytes(32).toString('base64url');

describe('TOTP secrets', () => {
  it('are sealed so the stored text reveals nothing, and open only under the same key, untampered', () => {
    const secret = newTotpSecret();
    const box = new TotpSecretBox(key());
    const sealed = box.seal(secret);
    expect(sealed).not.toContain(secret);
    expect(box.seal(secret)).not.toBe(sealed); // a fresh nonce each time
    expect(box.open(sealed)).toBe(secret);
    expect(() => new TotpSecretBox(key()).open(sealed)).toThrow();
    const [version, iv, tag, body] = sealed.split('.');
    const flipped = `${body!.startsWith('A') ? 'B' : 'A'}${body!.slice(1)}`;
    expect(() => box.open([version, iv, tag, flipped].join('.'))).toThrow();
  });

  it('accept the current code of an authenticator app and refuse others', () => {
    const secret = newTotpSecret();
    const app = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
    const code = app.generate();
    expect(acceptedTotpStep(secret, code)).not.toBeNull();
    expect(acceptedTotpStep(secret, code === '000000' ? '111111' : '000000')).toBeNull();
    expect(otpauthUrl(secret, 'ada@contoso.example')).toMatch(
      new RegExp(`^otpauth://totp/1Security:ada%40contoso\\.example\\?.*secret=${secret}`),
    );
  });

  it('name the time step of a code, one step of clock drift either way, and no further', () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'; // fixed, so the codes below are too
    const app = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
    const at = 1_900_000_000_000;
    const step = Math.floor(at / 30_000);
    const codeAt = (s: number) => app.generate({ timestamp: s * 30_000 });
    expect(acceptedTotpStep(secret, codeAt(step), at)).toBe(step);
    expect(acceptedTotpStep(secret, codeAt(step - 1), at)).toBe(step - 1);
    expect(acceptedTotpStep(secret, codeAt(step + 1), at)).toBe(step + 1);
    expect(acceptedTotpStep(secret, codeAt(step + 2), at)).toBeNull();
    expect(acceptedTotpStep(secret, codeAt(step - 2), at)).toBeNull();
  });
});
