import { serve } from "@hono/node-server";
import { createMerchantApp } from "./server.js";

/** Runs the example store against a Glade server: set the same two variables the Flowglad SDKs read. */
const gladeBaseUrl = process.env.FLOWGLAD_BASE_URL;
const gladeSecretKey = process.env.FLOWGLAD_SECRET_KEY;
if (!gladeBaseUrl || !gladeSecretKey) {
  console.error("Set FLOWGLAD_BASE_URL (e.g. http://127.0.0.1:3000) and FLOWGLAD_SECRET_KEY (sk_test_…).");
  process.exit(1);
}
const port = Number(process.env.PORT ?? 4000);
const publicUrl = process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}`;

const app = await createMerchantApp({ gladeBaseUrl, gladeSecretKey, publicUrl });
serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, () => {
  console.log(`Example store on ${publicUrl} (Glade at ${gladeBaseUrl})`);
});
