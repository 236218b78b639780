import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

export type HashParams = { N: number; r: number; p: number };

// scrypt is memory-hard: N=2^15, r=8 needs 32 MiB per hash, which is what makes GPU guessing costly.
const PARAMS: HashParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer, params: HashParams): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * Returns a self-describing hash: scrypt$N$r$p$salt$key (base64url). Verification reads the parameters
 * from the hash, so only test fixtures pass lighter `params`, to keep hundreds of test sign-ins cheap.
 */
export async function hashPassword(password: string, params: HashParams = PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

let decoy: Promise<string> | undefined;

/**
 * A hash of nothing, checked against when the e-mail is unknown so both paths take the same time. Made on
 * the first sign-in, not at start: a process that never signs anyone in (a pool thread, a script) skips it.
 */
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(12).toString('hex'));
  return decoy;
}
