/**
 * GLADE_WEBHOOK_ALLOW_PRIVATE for tests: receivers listen on this machine's loopback, which the default
 * policy refuses. (A module of its own: the worker script run as a child process imports it outside Vitest.)
 */
export const LOOPBACK_RECEIVERS = "localhost,127.0.0.0/8,::1/128";
