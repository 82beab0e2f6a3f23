/** The work did not settle in time. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/** `work`'s outcome, or a DeadlineExceededError once `ms` have passed (`work` is then left to finish). */
export async function withDeadline<T>(work: () => Promise<T> | T, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(ms)), ms);
  });
  try {
    // Promise.race also handles a late rejection of the losing work.
    return await Promise.race([Promise.resolve().then(work), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** True once `work` has settled (either way), false if `ms` passed first. */
export function settleWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return withDeadline(() => work, ms).then(
    () => true,
    (error: unknown) => !(error instanceof DeadlineExceededError),
  );
}
