import test from 'ava';
import { createPasswordChecker } from '../../src/passwords/index.js';

// Known answers from the system's crypt(3) (libxcrypt), for passwords longer than the digest, where each
// round's input is longest, and for the empty one.
const known = [
  { scheme: 'sha512-crypt', password: 'x'.repeat(200), hash: '$6$rounds=1000$longpasswordsalt$nwZXHlrhsAZyQNBIhwbgnaRkgVUTskIm.YPR27iCCgDlNzXA18SeWP.44erOAWFYM4OIsuS1hIG04vqTOyAc10' },
  { scheme: 'sha256-crypt', password: 'pässwörd-'.repeat(9), hash: '$5$rounds=1000$salty$PAG5/N5O8g2FtrhRbe6STZPp9g6AQAG6dBi0GtvkeH6' },
  { scheme: 'sha512-crypt', password: '', hash: '$6$rounds=1000$empty$mD/mfMVeNHBUgTII19Wa60uGXYFiKQekh3g31uXM.1DkGrKMw1ICxo7N9UEq9xthpeZV2NXWk/C7RFot9C.JR.' },
];

for (const { scheme, password, hash } of known) {
  test(`${scheme}: a ${Buffer.byteLength(password)}-byte password matches crypt(3), and one byte less does not`, async (t) => {
    const checker = createPasswordChecker({ schemes: [scheme] });
    try {
      t.true((await checker.verify(password, { hash })).ok);
      if (password) t.false((await checker.verify(password.slice(0, -1), { hash })).ok);
    } finally {
      await checker.close();
    }
  });
}

test("passlib's default sha512-crypt (656 000 rounds) with a passphrase verifies under the default caps", async (t) => {
  // From crypt(3) (libxcrypt).
  const hash = '$6$rounds=656000$0123456789abcdef$p0DGNLA9l2ZFY/YZNQLEmuRiSIu7zVZTG/x/zEkAUNgP3gks/sH6jpqCv5SkFe9yBjj8rzbZShdi9oj23qL/5/';
  const checker = createPasswordChecker({ schemes: ['sha512-crypt'] });
  try {
    t.true((await checker.verify('correct horse battery staple', { hash })).ok);
  } finally {
    await checker.close();
  }
});
