import { pino } from "pino";

export type Logger = pino.Logger;

/** Card fields never reach a log line, whatever object a caller hands in. */
const REDACT = [
  "cardNumber",
  "*.cardNumber",
  "number",
  "*.number",
  "cvc",
  "*.cvc",
  "authorization",
  "*.authorization",
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: "[redacted]" } });
}
