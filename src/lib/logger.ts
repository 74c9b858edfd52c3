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

/**
 * Properties of database errors that hold the statement's values (a webhook secret, a customer's email or
 * address): Drizzle's `params`, postgres.js's `parameters`/`args`, Postgres's `detail` ("Key (email)=(…)",
 * "Failing row contains (…)") and `where` (which may quote parameters). The statement text and SQLSTATE stay.
 */
const VALUE_FIELDS = ["params", "parameters", "args", "detail", "where"];

type SerializedError = Record<string, unknown> & { message?: unknown; stack?: unknown; cause?: unknown };

/** An error's message without the values it quotes. */
function scrubMessage(err: Error): string {
  const code = (err as { code?: unknown }).code;
  let message = err.message;
  // Postgres quotes the value it could not take at the end of a data exception's message (class 22:
  // 'invalid input syntax for type integer: "…"').
  if (typeof code === "string" && code.startsWith("22"))
    message = message.replace(/: ".*"$/s, ': "[redacted]"');
  // Drizzle's message is "Failed query: <sql>\nparams: <values>".
  return message.replace(/\nparams: [\s\S]*$/, "\nparams: [redacted]");
}

function causesOf(err: Error): Error[] {
  const chain: Error[] = [];
  for (let e: unknown = err; e instanceof Error && chain.length < 6; e = (e as { cause?: unknown }).cause)
    chain.push(e);
  return chain;
}

/** pino's error serializer, then the values taken out of every message, stack and cause. */
export function scrubError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const chain = causesOf(err);
  // A stack repeats its error's message, and pino appends each cause's stack to it.
  const scrubStack = (stack: unknown) =>
    typeof stack === "string"
      ? chain.reduce((text, e) => (e.message ? text.split(e.message).join(scrubMessage(e)) : text), stack)
      : stack;
  const serialize = (e: Error, depth: number): SerializedError => {
    const out = pino.stdSerializers.err(e) as unknown as SerializedError;
    for (const field of VALUE_FIELDS) if (field in out) out[field] = "[redacted]";
    out.message = scrubMessage(e);
    out.stack = scrubStack(out.stack);
    const cause = (e as { cause?: unknown }).cause;
    if (cause instanceof Error && depth < 5) out.cause = serialize(cause, depth + 1);
    return out;
  };
  return serialize(err, 0);
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT, censor: "[redacted]" },
    serializers: { err: scrubError },
  };
  return destination ? pino(options, destination) : pino(options);
}
