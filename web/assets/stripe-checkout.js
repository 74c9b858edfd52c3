// Drives the Stripe-mode pay form: Stripe's Payment Element takes the card (it never reaches Glade),
// Glade makes the intent for the stored amount, Stripe.js confirms it (running 3-D Secure itself) and
// sends the customer to Glade's return page, where the attempt settles.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-stripe]");
  const mount = document.getElementById("payment-element");
  if (!form || !mount || typeof Stripe !== "function") return;
  const button = form.querySelector("button[type=submit]");
  const label = button.textContent;
  const errorBox = document.getElementById("form-error");
  const data = mount.dataset;
  const stripe = Stripe(data.publishableKey);
  const options = { mode: data.mode, currency: data.currency };
  if (data.mode === "payment") options.amount = Number(data.amount);
  if (data.setupFutureUsage) options.setupFutureUsage = data.setupFutureUsage;
  const elements = stripe.elements(options);
  elements.create("payment").mount(mount);

  const showError = (message) => {
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = message;
    errorBox.replaceChildren(p);
    button.disabled = false;
    button.textContent = label;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    button.textContent = "Processing…";
    const checked = await elements.submit();
    if (checked.error) return showError(checked.error.message);
    let answer;
    try {
      const response = await fetch(form.action, {
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
