// Drives the Stripe-mode pay form: Stripe's Payment Element takes the card (it never reaches Glade),
// Glade makes the intent for the stored amount, Stripe.js confirms it (running 3-D Secure itself) and
// sends the customer to Glade's return page, where the attempt settles.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-stripe]");
  const mount = document.getElementById("payment-element");
  if (!form || !mount || typeof Stripe !== "function") return;
  const button = form.querySelector("button[type=submit]");
  let label = button.textContent;
  // A discount code can make the order free (nothing for Stripe to take) or change the amount.
  let free = false;
  const errorBox = document.getElementById("form-error");
  const data = mount.dataset;
  const stripe = Stripe(data.publishableKey);
  const options = { mode: data.mode, currency: data.currency };
  if (data.mode === "payment") options.amount = Number(data.amount);
  if (data.setupFutureUsage) options.setupFutureUsage = data.setupFutureUsage;
  const elements = stripe.elements(options);
  elements.create("payment").mount(mount);

  // The page's script tells what a code changed: the new total for the Payment Element, or nothing to take.
  form.addEventListener("glade:payment", (event) => {
    const { collect, payment, buttonLabel } = event.detail;
    if (buttonLabel) label = buttonLabel;
    free = !collect;
    mount.hidden = free;
    if (!payment) return;
    // The mount's data says what the Element was set up for; it stays true to what it is now.
    data.mode = payment.mode;
    data.amount = String(payment.amount);
    const changes = { mode: payment.mode, currency: payment.currency };
    if (payment.mode === "payment") changes.amount = payment.amount;
    if (payment.setupFutureUsage) changes.setupFutureUsage = "off_session";
    elements.update(changes);
  });

  const showError = (message) => {
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = message;
    errorBox.replaceChildren(p);
    button.disabled = false;
    button.textContent = label;
  };

  form.addEventListener("submit", async (event) => {
    // The discount code's buttons post to their own endpoint (the page's script handles them).
    if (event.submitter?.hasAttribute("data-discount-action")) return;
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    button.textContent = "Processing…";
    if (!free) {
      const checked = await elements.submit();
      if (checked.error) return showError(checked.error.message);
    }
    let answer;
    try {
      // getAttribute: the code field's buttons are named "action" and belong to this form, shadowing form.action.
      const response = await fetch(form.getAttribute("action"), {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { accept: "application/json" },
      });
      answer = await response.json();
    } catch {
      return showError("Your payment could not be started. Check your connection and try again.");
    }
    if (answer.redirect) return window.location.assign(answer.redirect);
    if (!answer.clientSecret) return showError(answer.error || "Your payment could not be started.");
    const confirm = answer.intentKind === "setup" ? stripe.confirmSetup : stripe.confirmPayment;
    await confirm.call(stripe, {
      elements,
      clientSecret: answer.clientSecret,
      confirmParams: { return_url: answer.returnUrl },
    });
    // Reached only when Stripe did not redirect (a decline, an error): Glade asks Stripe what happened.
    window.location.assign(answer.returnUrl);
  });
});
