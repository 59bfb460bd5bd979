/** What an error of ours (an AppError) looks like from a test. */
export interface TypedErrorShape {
  kind: string;
  messageKey: string;
  substitutions?: string[];
  serverCode?: number;
  serverMessage?: string;
  status?: number;
}

/** Awaits a promise that must reject, and returns what it rejected with. */
export async function rejection<T = TypedErrorShape>(promise: Promise<unknown>): Promise<T> {
  try {
    await promise;
  } catch (error) {
    return error as T;
  }
  throw new Error('expected a rejection');
}
