import test from 'ava';
import { createHandOff, createPasswordChecker, ZITADEL_VERIFIERS } from '../../src/passwords/index.js';
import { parseVectorLine, sourceFor, storedFor, type VectorLine } from '../../src/passwords/vector-line.js';
import { verifyZitadelHash } from '../../src/passwords/zitadel-format/index.js';
import { wrongPassword } from './support/vectors.js';

// Salts at the edges of what legacy tools write (made with openssl passwd and hashlib): each verifies, and
// its hand-off verifies the same password on ZITADEL's side.

const lines: Array<[note: string, json: string, handoff: 'native' | 'reencoded' | 'rehash']> = [
  ['a salt column with non-ASCII text is carried by md5salted', '{"format":"md5-salted","password":"password","hash":"e16a0f4dcec3d1fba83f8d5231c70c9f","params":{"salt":"ä","order":"salt+password"}}', 'reencoded'],
  ['an empty salt column hashes the password alone: md5plain', '{"format":"md5-salted","password":"password","hash":"5f4dcc3b5aa765d61d8327deb882cf99","params":{"salt":"","order":"salt+password"}}', 'native'],
  ['an empty salt column, sha256', '{"format":"sha256-salted","password":"p","hash":"148de9c5a7a44d19e56cd9ae1a554bf67847afb0c58f6e12fa29ac7ddfca9940","params":{"salt":"","order":"password+salt"}}', 'rehash'],
  ['a colon in a sha-crypt salt (openssl passwd -5 -salt ab:cd)', '{"format":"sha256-crypt","password":"password","hash":"$5$ab:cd$qieyFDPfynAhoSvH0z863vbZMOZ0o1EGkedm51Vvqd9"}', 'native'],
  ['a salt with a space cannot travel in md5salted', '{"format":"md5-salted","password":"password","hash":"c4b200674d57ed290029decf7a58e5f8","params":{"salt":"a b","order":"salt+password"}}', 'rehash'],
];

for (const [note, json, handoff] of lines) {
  test(note, async (t) => {
    const line = parseVectorLine(json) as VectorLine;
    const source = sourceFor(line);
    const checker = createPasswordChecker(source);
    t.teardown(() => checker.close());
    const result = await checker.verify(line.password, storedFor(line));
    t.is(result.ok, line.expect);
    if (!result.ok) return;
    t.false((await checker.verify(wrongPassword(line.password), storedFor(line))).ok);
    const decided = await createHandOff({ zitadel: { verifiers: [...ZITADEL_VERIFIERS] } }, source).decide(storedFor(line), result.scheme, line.password, result);
    t.is(decided.kind, handoff);
    if (decided.kind === 'none') return;
    t.true(await verifyZitadelHash(decided.hash, line.password, { verifiers: ZITADEL_VERIFIERS }));
    t.false(await verifyZitadelHash(decided.hash, wrongPassword(line.password), { verifiers: ZITADEL_VERIFIERS }));
  });
}
