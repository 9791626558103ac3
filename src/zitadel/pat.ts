/**
 * A personal access token as ZITADEL issues it: printable ASCII, no white space. Anything else (a comment
 * line in the token file, a stray character) fails in the HTTP client with a message that quotes the whole
 * Authorization header, token included; refused here first, without repeating it.
 */
export function patProblem(pat: string): string | undefined {
  return /^[\x21-\x7e]+$/.test(pat)
    ? undefined
    : 'the personal access token holds white space or characters a token never has: the file or variable must hold the token alone, on one line';
}

export function requireUsablePat(pat: string): string {
  const problem = patProblem(pat);
  if (problem) throw new Error(problem);
  return pat;
}
