import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { User } from "./server.js";

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #ddd;margin-bottom:1rem}
label{display:block;margin-top:.75rem}input{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}
button{font:inherit;padding:.45rem .9rem;margin:.5rem .5rem 0 0;cursor:pointer}
article{border:1px solid #e4e4e4;border-radius:8px;padding:.75rem 1rem;margin:.75rem 0}
.owned{color:#0a7d32;font-size:.9rem;margin-left:.5rem}[role=alert]{color:#b00020}header form{display:inline}`;

function layout(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>${raw(STYLE)}</style></head>
<body>${body}</body>
</html>`;
}

export function loginPage(error?: string): Html {
  return layout(
    "Sign in · Example Store",
    html`<h1>Example Store</h1>
<form method="post" action="/login">
  ${error ? html`<p role="alert">${error}</p>` : ""}
  <label for="name">Name</label><input id="name" name="name" autocomplete="name" required>
  <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required>
  <button type="submit">Sign in</button>
</form>`,
  );
}

/** The shell the React bundle renders into; everything billing-related comes from useBilling(). */
export function storePage(user: User, error?: string): Html {
  return layout(
    "Example Store",
    html`<header><h1>Example Store</h1>
<div><span>Signed in as ${user.name}</span>
<form method="post" action="/billing-portal"><button type="submit">Manage billing</button></form>
<form method="post" action="/logout"><button type="submit">Sign out</button></form></div>
</header>
${error ? html`<p role="alert">${error}</p>` : ""}
<div id="root"><p>Loading…</p></div>
<script type="module" src="/assets/client.js"></script>`,
  );
}
