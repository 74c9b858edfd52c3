// Progressive enhancement only: the page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  const print = document.querySelector("button[data-print]");
  if (print) print.addEventListener("click", () => window.print());
  const form = document.querySelector("form[data-checkout]");
  if (form) {
    form.addEventListener("submit", () => {
      const button = form.querySelector("button[type=submit]");
      if (button) {
        // The server refuses a second charge anyway; this just stops an accidental double click.
        button.disabled = true;
        button.textContent = "Processing…";
      }
    });
  }
  const number = document.querySelector("input[name=cardNumber]");
  if (number) {
    number.addEventListener("input", () => {
      const digits = number.value.replace(/\D/g, "").slice(0, 19);
      number.value = digits.replace(/(\d{4})(?=\d)/g, "$1 ");
    });
  }
  const expiry = document.querySelector("input[name=cardExpiry]");
  if (expiry) {
    expiry.addEventListener("input", () => {
      const digits = expiry.value.replace(/\D/g, "").slice(0, 4);
      expiry.value = digits.length > 2 ? `${digits.slice(0, 2)} / ${digits.slice(2)}` : digits;
    });
  }
});

// The discount code form posts in the background and swaps the order summary in place, so nothing typed in
// the payment form is lost. Without this file it posts as a normal form and the page is shown again.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("form[data-discount]")) return;
  event.preventDefault();
  const body = new URLSearchParams(new FormData(form, event.submitter));
  // getAttribute: the buttons are named "action", which shadows form.action.
  const response = await fetch(form.getAttribute("action") ?? "", {
    method: "POST",
    body,
    headers: { accept: "application/json" },
    credentials: "same-origin",
  });
  if (!response.ok && response.status !== 400 && response.status !== 409) {
    form.submit();
    return;
  }
  const answer = await response.json();
  if (answer.reload) {
    window.location.reload();
    return;
  }
  const summary = document.getElementById("summary");
  if (summary && answer.summary) {
    summary.outerHTML = answer.summary;
    document.getElementById("discountCode")?.focus();
  }
  const pay = document.querySelector("form[data-checkout] button[type=submit]");
  if (pay && answer.buttonLabel) pay.textContent = answer.buttonLabel;
});
