// What an Apollo Client 4 query with @defer emits until its data is complete: the first results are
// `dataState: 'streaming'` (the payloads received so far, merged), the last `'complete'`.
import type { ObservableQuery } from '@apollo/client';

export function untilComplete(query: ObservableQuery<any, any>): Promise<ObservableQuery.Result<any>[]> {
  const results: ObservableQuery.Result<any>[] = [];
  return new Promise((resolve, reject) => {
    const subscription = query.subscribe({
      next: (result) => {
        results.push(result);
        if (result.dataState === 'complete') {
          subscription.unsubscribe();
          resolve(results);
        }
      },
      error: reject,
    });
  });
}
