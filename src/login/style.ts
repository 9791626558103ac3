import { createHash } from 'node:crypto';

/**
 * The pages' only stylesheet, inline so a page is one request; the CSP allows exactly this text by its hash.
 * Colours keep at least 4.5:1 contrast; focus is always visible.
 */
export const STYLE = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1f;background:#f4f5f7}
body{margin:0;display:flex;min-height:100vh;align-items:flex-start;justify-content:center}
main{background:#fff;margin:8vh 1rem;padding:2rem;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.2);width:100%;max-width:22rem}
h1{font-size:1.5rem;margin:0 0 1rem}
p{line-height:1.5}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=text],input[type=password]{box-sizing:border-box;width:100%;font-size:1rem;padding:.6rem;border:1px solid #6b6b76;border-radius:4px}
button{font-size:1rem;padding:.6rem 1rem;border-radius:4px;border:1px solid #1d4ed8;cursor:pointer;margin-top:1.25rem}
button.primary{background:#1d4ed8;color:#fff;width:100%}
button.secondary{background:#fff;color:#1d4ed8;width:100%;margin-top:.5rem}
:focus-visible{outline:3px solid #b45309;outline-offset:2px}
.alert{background:#fdecec;border:1px solid #b42318;color:#7a1a12;padding:.75rem;border-radius:4px}
.muted{color:#4b4b55;font-size:.9rem}
code,pre{font-family:ui-monospace,monospace;font-size:.85rem;word-break:break-all;white-space:pre-wrap}
`;

export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;
