/**
 * Runs tasks that share a key one after another, in the order they were handed in; tasks of different keys run
 * concurrently. Holds nothing for a key once its last task has settled.
 */
export type KeyedSerializer = <T>(key: string, task: () => Promise<T>) => Promise<T>;

/** Creates an empty serializer. */
export function createKeyedSerializer(): KeyedSerializer {
  const tails = new Map<string, Promise<unknown>>();
  return (key, task) => {
    const run = (tails.get(key) ?? Promise.resolve()).then(task);
    // The next task waits for this one to settle, whatever its outcome.
    const tail = run.then(
      () => {},
      () => {},
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}
