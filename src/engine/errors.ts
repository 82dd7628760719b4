// Errors meant for the user: a message that names the problem and what to do. Anything else is a bug (stack to logs).

export class UserError extends Error {
  constructor(
    message: string,
    /** What the user can do about it. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Raised when a job is cancelled; partial results may already have been written. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

/** Throws CancelledError once the signal has fired (call between units of work). */
export function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

/** The plain-language text of an error for UIs: message plus hint for user errors, message only otherwise. */
export function describeError(e: unknown): { message: string; hint?: string; user: boolean } {
  if (e instanceof UserError) return { message: e.message, ...(e.hint ? { hint: e.hint } : {}), user: true };
  if (e instanceof Error) return { message: e.message, user: false };
  return { message: String(e), user: false };
}
