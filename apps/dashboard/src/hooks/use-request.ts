import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import { answered, call, failureOf, type Problem } from '../api-client';
import { SESSION_EXPIRED, useSession } from '../session.context';

type Answer = { status: number; body: unknown };

/**
 * One form's (or one panel's) calls of the dashboard API: `busy` while one is out, the
 * `problem` of the last one, and `fail`, which shows the problem of a failed answer — or,
 * when `onUnauthenticated` is given and the session is gone, calls that instead.
 */
export function useRequest(onUnauthenticated?: () => void) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>();

  /** Sends `request` (a network failure becomes an answer like any other), busy meanwhile. */
  const send = useCallback(async <R extends Answer>(request: () => Promise<R>) => {
    setBusy(true);
    setProblem(undefined);
    const res = await call(request);
    setBusy(false);
    return res;
  }, []);

  const fail = useCallback(
    (res: Answer, show: (problem: Problem) => void = setProblem) => {
      const failure = failureOf(res);
      if (onUnauthenticated && failure.code === 'UNAUTHENTICATED') onUnauthenticated();
      else show(failure);
    },
    [onUnauthenticated],
  );

  return { busy, problem, setProblem, send, fail };
}

/** The session's end when an answer says it is gone: back to sign-in, saying so. */
export function useSessionExpiry(): () => void {
  const { end } = useSession();
  return useCallback(() => end(SESSION_EXPIRED), [end]);
}

/** {@link useRequest} on a signed-in page: a 401 ends the session. */
export function useSessionRequest() {
  return useRequest(useSessionExpiry());
}

/**
 * What a signed-in page reads when it opens (the tenant's keys, its endpoints): `data` once
 * read, the `problem` when it could not be, and `setData` for the page's own changes.
 * `request` and `dataOf` are read when the page opens, and again on `reload`.
 */
export function useLoaded<R extends Answer, T>(request: () => Promise<R>, dataOf: (res: R) => T | undefined) {
  const expired = useSessionExpiry();
  const [data, setData] = useState<T>();
  const [problem, setProblem] = useState<Problem>();
  const latest = useRef({ request, dataOf });
  latest.current = { request, dataOf };

  const reload = useCallback(async () => {
    const res = await call(latest.current.request);
    const data = answered(res) ? latest.current.dataOf(res) : undefined;
    if (data !== undefined) {
      setData(data);
      setProblem(undefined);
      return;
    }
    const failure = failureOf(res);
    if (failure.code === 'UNAUTHENTICATED') return expired();
    setProblem(failure);
  }, [expired]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { data, setData: setData as Dispatch<SetStateAction<T | undefined>>, problem, reload };
}
