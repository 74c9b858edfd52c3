// Progressive enhancement only: the page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // After a failed submit, keyboard and screen-reader users start at the list of what to fix.
  document.querySelector(".error-summary")?.focus();
  const print = document.querySelector("button[data-print]");
  if (print) print.addEventListener("click", () => window.print());
  const form = document.querySelector("form[data-checkout]");
  if (form) {
    form.addEventListener("submit", (event) => {
      if (isCodeButton(event.submitter)) return;
      const button = form.querySelector("button[type=submit]");
      if (button) {
        // The server refuses a second charge anyway; this just stops an accidental double click.
        button.disabled = true;
        button.textContent = "Processing…";
      }
    });
  }
  const number = document.querySelector("input[name=cardNumber]");
  const badge = document.querySelector("[data-card-brand]");
  if (number) {
    number.addEventListener("input", () => {
      const digits = number.value.replace(/\D/g, "").slice(0, 19);
      number.value = digits.replace(/(\d{4})(?=\d)/g, "$1 ");
      if (badge) badge.dataset.brand = brandOf(digits);
    });
  }
  showTotalAsQuantityChanges();
  const expiry = document.querySelector("input[name=cardExpiry]");
  if (expiry) {
    expiry.addEventListener("input", () => {
      const digits = expiry.value.replace(/\D/g, "").slice(0, 4);
      expiry.value = digits.length > 2 ? `${digits.slice(0, 2)} / ${digits.slice(2)}` : digits;
    });
  }
});

// The discount code field belongs to the pay form, so that without this file Apply posts the whole form and
// the page comes back with what was typed. With it, the code alone is posted in the background and the
// order summary is swapped in place: nothing typed in the payment form is lost, card fields included.
function isCodeButton(element) {
  return element instanceof HTMLButtonElement && element.hasAttribute("data-discount-action");
}

function applyButton() {
  return document.querySelector("button[data-discount-action][value=apply]");
}

/** Lets the browser post the whole pay form to the code's endpoint, as it does without this file. */
function postWholeForm(form, submitter) {
  form.dataset.wholePost = "1";
  form.requestSubmit(submitter);
}

/** Card fields follow what the new total needs: hidden and left out of the post when nothing is due. */
function showPayment(form, answer) {
  const card = form.querySelector("[data-card-fields]");
  if (card) {
    card.hidden = !answer.collectCard;
    card.disabled = !answer.collectCard;
  }
  form.dispatchEvent(
    new CustomEvent("glade:payment", {
      detail: { collect: answer.collectCard, payment: answer.payment, buttonLabel: answer.buttonLabel },
    }),
  );
}

// Enter in the code field applies the code (the pay form's default button is Pay).
document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (event.key !== "Enter" || !(target instanceof HTMLInputElement) || target.id !== "discountCode") return;
  event.preventDefault();
  applyButton()?.click();
});

// Paying with a code typed but not applied would charge without it: the code is applied instead, and the
// customer pays once they have seen the new total.
document.addEventListener(
  "submit",
  (event) => {
    const code = document.getElementById("discountCode");
    if (!code || isCodeButton(event.submitter) || event.target !== code.form) return;
    const typed = code.value.trim().toLowerCase();
    if (typed === "" || typed === (code.dataset.applied ?? "").toLowerCase()) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    // Not from inside this submit event: a form ignores a new submission while it fires one.
    setTimeout(() => applyButton()?.click(), 0);
  },
  true,
);

document.addEventListener("submit", async (event) => {
  const form = event.target;
  const submitter = event.submitter;
  if (!(form instanceof HTMLFormElement) || !isCodeButton(submitter)) return;
  if (form.dataset.wholePost === "1") return;
  event.preventDefault();
  const code = document.getElementById("discountCode");
  const body = new URLSearchParams({ code: code?.value ?? "", action: submitter.value });
  const pay = form.querySelector("button[type=submit]");
  // No paying while the total is changing.
  if (pay) pay.disabled = true;
  let answer;
  try {
    const response = await fetch(submitter.formAction, {
      method: "POST",
      body,
      headers: { accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok && response.status !== 400 && response.status !== 409) throw new Error("unexpected");
    answer = await response.json();
  } catch {
    postWholeForm(form, submitter);
    return;
  } finally {
    if (pay) pay.disabled = false;
  }
  // Stripe's fields are not on this page (it was a free order): the page must come back with them.
  if (answer.cardEntry === "stripe" && !form.matches("[data-stripe]")) {
    postWholeForm(form, submitter);
    return;
  }
  const summary = document.getElementById("summary");
  if (summary && answer.summary) {
    summary.outerHTML = answer.summary;
    document.getElementById("discountCode")?.focus();
  }
  if (answer.buttonLabel) {
    if (pay) pay.textContent = answer.buttonLabel;
    const enterPays = document.querySelector("button.default-submit");
    if (enterPays) enterPays.textContent = answer.buttonLabel;
  }
  showPayment(form, answer);
});

// The same prefixes as the server's cardBrand (src/payments/cards.ts); only the icon depends on it here.
const BRANDS = [
  ["visa", /^4/],
  ["mastercard", /^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/],
  ["amex", /^3[47]/],
  ["discover", /^(6011|65|64[4-9])/],
];

function brandOf(digits) {
  for (const [brand, prefix] of BRANDS) if (prefix.test(digits)) return brand;
  return "";
}

// A purchase link's landing page: the total follows the quantity typed. The server computes the amount
// charged from the quantity posted; this is only what the visitor sees before pressing the button.
function showTotalAsQuantityChanges() {
  const total = document.querySelector("[data-total]");
  const quantity = document.querySelector("form[data-purchase] input[name=quantity]");
  const out = document.getElementById("order-total");
  if (!total || !quantity || !out) return;
  const digits = Number(total.dataset.digits);
  const format = new Intl.NumberFormat("en-US", {
    style: "currency",
    currency: total.dataset.currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  quantity.addEventListener("input", () => {
    const count = Number(quantity.value);
    const max = Number(quantity.max) || 100;
    if (!Number.isInteger(count) || count < 1 || count > max) {
      out.textContent = `Enter a quantity from 1 to ${max}.`;
      return;
    }
    const amount = format.format((Number(total.dataset.unitAmount) * count) / 10 ** digits);
    out.textContent = `Total for ${count}: ${amount}${total.dataset.every ? ` ${total.dataset.every}` : ""}`;
  });
}
