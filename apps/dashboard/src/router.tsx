import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/** Where the app is mounted; every client route is under it. */
export const BASE = '/dashboard';

/** The client routes. */
export const ROUTES = {
  home: '/',
  signIn: '/sign-in',
  setPassword: '/set-password',
  apiKeys: '/settings/api-keys',
  webhooks: '/settings/webhooks',
  account: '/settings/account',
} as const;

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

/** The current route, relative to {@link BASE} (`/settings/api-keys`), without a trailing slash. */
function currentPath(): string {
  const { pathname } = window.location;
  const inner = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  return inner.replace(/\/+$/, '') || '/';
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

/** Goes to a client route (relative to {@link BASE}); `replace` keeps the back button honest after redirects. */
export function navigate(to: string, { replace = false }: { replace?: boolean } = {}): void {
  const url = `${BASE}${to}`;
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  notify();
}

/** Names the page in the browser's tab and history, `<title> · 1Security dashboard`. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · 1Security dashboard`;
  }, [title]);
}

/** A link to a client route: a real `<a href>` (opens in a new tab too), handled in the page on a plain click. */
export function Link({ to, ...rest }: { to: string } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'>) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    event.preventDefault();
    navigate(to);
  };
  return <a {...rest} href={`${BASE}${to}`} onClick={onClick} />;
}
