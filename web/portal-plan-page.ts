import { html } from "hono/html";
import { type Html, layout } from "./layout.js";
import { PORTAL_TEST_BANNER, type PortalPageView, portalHeader } from "./portal-page.js";

type Frame = Pick<PortalPageView, "merchantName" | "customer" | "returnUrl" | "csrfToken" | "livemode">;

export type PlanChoiceView = Frame & {
  subscriptionId: string;
  currentName: string;
  currentPrice: string;
  options: { priceId: string; name: string; price: string }[];
};

export type PlanConfirmView = Frame & {
  subscriptionId: string;
  priceId: string;
  name: string;
  price: string;
  /** What happens and when, in a sentence: "You will be charged $7.50 now…" */
  outcome: string;
};

function page(frame: Frame, title: string, content: Html): Html {
  const body = html`<main class="portal">
${portalHeader(frame)}
<section class="panel wide" aria-labelledby="page-title">
<h2 id="page-title">${title}</h2>
${content}
<p><a href="/billing">← Back to billing</a></p>
</section>
</main>`;
  return layout({
    title: `${title} · ${frame.merchantName}`,
    livemode: frame.livemode,
    body,
    testBanner: PORTAL_TEST_BANNER,
  });
}

export function renderPlanChoicePage(view: PlanChoiceView): Html {
  return page(
    view,
    "Change plan",
    html`<p>You are on <strong>${view.currentName}</strong> (${view.currentPrice}).</p>
${view.options.length === 0 ? html`<p class="muted">There is no other plan to move to.</p>` : ""}
${view.options.map(
  (o) =>
    html`<div class="plan-option"><span><strong>${o.name}</strong> · ${o.price}</span><a class="button-link" href="/billing/subscriptions/${view.subscriptionId}/change?priceId=${encodeURIComponent(o.priceId)}">Choose</a></div>`,
)}`,
  );
}

export function renderPlanConfirmPage(view: PlanConfirmView): Html {
  return page(
    view,
    "Confirm plan change",
    html`<p>Move to <strong>${view.name}</strong> (${view.price}).</p>
<p role="status">${view.outcome}</p>
<form method="post" action="/billing/subscriptions/${view.subscriptionId}/change">
<input type="hidden" name="csrf" value="${view.csrfToken}">
<input type="hidden" name="priceId" value="${view.priceId}">
<button type="submit">Confirm change</button>
</form>`,
  );
}

/** A page with a message and nothing to do but leave: an expired link, a signed-out visit. */
export function renderPortalMessage(view: {
  title: string;
  message: string;
  merchantName?: string;
  returnUrl?: string | null;
  livemode?: boolean;
}): Html {
  const body = html`<main><section class="panel narrow" aria-labelledby="msg-title">
${view.merchantName ? html`<p class="merchant">${view.merchantName}</p>` : ""}
<h1 id="msg-title">${view.title}</h1>
<p>${view.message}</p>
${view.returnUrl ? html`<a class="cancel" href="${view.returnUrl}">Back to ${view.merchantName ?? "the store"}</a>` : ""}
</section></main>`;
  return layout({ title: view.title, livemode: view.livemode ?? true, body });
}
