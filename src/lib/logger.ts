import { pino } from "pino";

export type Logger = pino.Logger;

/** Card fields and processor secrets never reach a log line, whatever object a caller hands in. */
const REDACT = [
  "cardNumber",
  "*.cardNumber",
  "number",
  "*.number",
  "cvc",
  "*.cvc",
  "authorization",
  "*.authorization",
  "secretKey",
  "*.secretKey",
  "webhookSecret",
  "*.webhookSecret",
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: "[redacted]" } });
}
