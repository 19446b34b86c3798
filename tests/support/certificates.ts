/** TLS certificates for tests, made at each run: no key is ever committed. */
import { generate } from 'selfsigned';

export interface TestCertificate {
  /** PEM */
  readonly cert: string;
  /** PEM, PKCS#8, no passphrase */
  readonly key: string;
}

/**
 * A self-signed server certificate for `names` and 127.0.0.1, valid for `days` from now (a negative number gives
 * one that has expired). An EC key is made in milliseconds; sha256 because the library still defaults to sha1.
 */
export async function testCertificate(names: readonly string[] = ['localhost'], days = 30): Promise<TestCertificate> {
  const notBefore = new Date(Date.now() - 86_400_000 + Math.min(0, days) * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: names[0] ?? 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: new Date(Date.now() + days * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...names.map((value) => ({ type: 2 as const, value })), { type: 7 as const, ip: '127.0.0.1' }],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
