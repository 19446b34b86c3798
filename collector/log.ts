/**
 * Structured logs: one JSON object a line on stdout. What goes in is chosen at
 * each call site from a short list (method, route, status, ms, counts): never an
 * IP address, a user agent, a token, a cookie, a URL's query or a body.
 */
export type LogEntry = Record<string, unknown>;
export type Log = (entry: LogEntry) => void;

let pending = '';

function flush(): void {
  if (pending === '') return;
  process.stdout.write(pending);
  pending = '';
}

/**
 * The lines of one turn of the event loop go out in one write: at thousands of
 * requests a second, a write per line costs more than the rest of the logging.
 */
export const stdoutLog: Log = (entry) => {
  if (pending === '') setImmediate(flush);
  pending += `${JSON.stringify(entry)}\n`;
};

// A process that ends through process.exit() skips the event loop; its last lines still go out.
process.on('exit', flush);

/** Puts the time first on every entry, so `log` receives what is written. */
export function timestamped(log: Log): Log {
  return (entry) => log({ time: new Date().toISOString(), ...entry });
}
