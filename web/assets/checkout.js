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
