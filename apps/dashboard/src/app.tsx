import type { Me } from '@1security/contract';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, call, failureOf, type Problem } from './api-client';
import { ProblemMessage } from './components/problem-message';
import { Account } from './pages/account.page';
import { ApiKeys } from './pages/api-keys.page';
import { SetPassword } from './pages/set-password.page';
import { SignIn } from './pages/sign-in.page';
import { Webhooks } from './pages/webhooks.page';
import { Link, navigate, ROUTES, usePageTitle, usePath } from './router';
import { SessionContext, useSession, type Session } from './session.context';
import { forgetSessionHint, mayBeSignedIn } from './session-hint';

/** The signed-in pages, under Settings. */
const SETTINGS_PAGES: Record<string, { label: string; render: () => ReactNode }> = {
  [ROUTES.apiKeys]: { label: 'API Keys', render: () => <ApiKeys /> },
  [ROUTES.webhooks]: { label: 'Webhooks', render: () => <Webhooks /> },
  [ROUTES.account]: { label: 'Account', render: () => <Account /> },
};

/**
 * Routes and the session. Sign-in and set-password need no session and never ask for one;
 * every other page asks the API who is signed in (`GET /me`) and sends a stranger to sign-in —
 * without asking when the browser holds no session hint (a first visit, after sign-out).
 */
export function App() {
  const path = usePath();
  // undefined: not asked yet; null: nobody is signed in.
  const [me, setMe] = useState<Me | null | undefined>(() => (mayBeSignedIn() ? undefined : null));
  const [notice, setNotice] = useState<string>();
  const [problem, setProblem] = useState<Problem>();

  const end = useCallback((reason: string) => {
    forgetSessionHint();
    setMe(null);
    setNotice(reason);
    navigate(ROUTES.signIn, { replace: true });
  }, []);
  const session = useMemo<Session | undefined>(() => (me ? { me, update: setMe, end } : undefined), [me, end]);

  const isPublic = path === ROUTES.signIn || path === ROUTES.setPassword;
  useEffect(() => {
    if (isPublic || me !== undefined) return;
    let stale = false;
    void call(() => api.getMe()).then((res) => {
      if (stale) return;
      if (res.status === 200) return setMe(res.body.data);
      const failure = failureOf(res);
      if (failure.code === 'UNAUTHENTICATED') {
        forgetSessionHint();
        setMe(null);
        return;
      }
      setProblem(failure);
    });
    return () => {
      stale = true;
    };
  }, [isPublic, me]);

  useEffect(() => {
    if (isPublic) return;
    if (me === null) navigate(ROUTES.signIn, { replace: true });
    else if (me && path === ROUTES.home) navigate(ROUTES.apiKeys, { replace: true });
  }, [isPublic, me, path]);

  if (path === ROUTES.signIn) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(signedIn) => {
          setNotice(undefined);
          setMe(signedIn);
          navigate(ROUTES.apiKeys, { replace: true });
        }}
      />
    );
  }
  if (path === ROUTES.setPassword) {
    return (
      <SetPassword
        onDone={() => {
          setMe(null);
          setNotice('Your password is set. Sign in with it.');
          navigate(ROUTES.signIn, { replace: true });
        }}
      />
    );
  }
  if (!session) {
    return (
      <main id="main" className="auth-page">
        {problem ? (
          <div className="auth-card">
            <h1>The dashboard could not start</h1>
            <ProblemMessage problem={problem} />
            <button type="button" className="button" onClick={() => window.location.reload()}>
              Try again
            </button>
          </div>
        ) : (
          <p className="loading">Loading…</p>
        )}
      </main>
    );
  }
  const page = SETTINGS_PAGES[path];
  return (
    <SessionContext.Provider value={session}>
      <Shell current={path}>{page ? page.render() : <NotFound />}</Shell>
    </SessionContext.Provider>
  );
}

function Shell({ current, children }: { current: string; children: ReactNode }) {
  const { me, end } = useSession();
  async function signOut() {
    // Whatever the answer (the session may already be gone), the page forgets it.
    await call(() => api.signOut());
    end('You have signed out.');
  }
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link to={ROUTES.apiKeys} className="brand">
          <span className="brand-mark" aria-hidden="true">
            ●
          </span>{' '}
          1Security <span className="brand-sub">dashboard</span>
        </Link>
        <div className="who">
          <span className="who-email" title={me.email}>
            {me.email}
          </span>
          <button type="button" className="button small on-dark" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="content" tabIndex={-1}>
        <p className="tenant-line">
          {me.tenantName} · {me.role === 'admin' ? 'Admin' : 'Analyst'}
        </p>
        <h1>Settings</h1>
        <nav aria-label="Settings" className="tabs">
          {Object.entries(SETTINGS_PAGES).map(([to, page]) => (
            <Link key={to} to={to} aria-current={to === current ? 'page' : undefined}>
              {page.label}
            </Link>
          ))}
        </nav>
        {children}
      </main>
    </>
  );
}

function NotFound() {
  usePageTitle('Page not found');
  return (
    <section aria-labelledby="not-found-heading">
      <h2 id="not-found-heading">Page not found</h2>
      <p>
        There is no such dashboard page. Go to <Link to={ROUTES.apiKeys}>Settings → API Keys</Link>.
      </p>
    </section>
  );
}
