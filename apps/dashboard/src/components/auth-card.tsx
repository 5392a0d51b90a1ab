import type { ReactNode } from 'react';

/** A page of its own before sign-in (sign-in, set-password): the brand, a heading, and the card's content. */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main id="main" className="auth-page">
      <div className="auth-card">
        <p className="auth-brand">
          <span className="brand-mark" aria-hidden="true">
            ●
          </span>{' '}
          1Security
        </p>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
