/** The console's page frame and its error page. Server-rendered; script only from /assets. */
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { UserRecord } from '../../core/model/user.js';

export interface LayoutProps {
  title: string;
  user?: UserRecord | null | undefined;
  csrf?: string;
  children?: Child;
}

export function Layout({ title, user, csrf, children }: LayoutProps) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Gatehouse`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/assets/console.css" />
        <script src="/assets/console.js" defer></script>
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/console">
            Gatehouse
          </a>
          {user ? (
            <nav>
              <a href="/console/settings/api-keys">Settings → API Keys</a>
              <a href="/console/applications">Applications</a>
              <a href="/console/settings/authorized-apps">Authorized apps</a>
              <span class="who">{user.email}</span>
              <form method="post" action="/console/logout" class="inline">
                <input type="hidden" name="csrf" value={csrf ?? ''} />
                <button type="submit" class="link">
                  Sign out
                </button>
              </form>
            </nav>
          ) : null}
        </header>
        <main>{children}</main>
      </body>
      </html>
    </>
  );
}

export function ErrorPage({ status, message }: { status: number; message: string }) {
  return (
    <Layout title={`Error ${status}`}>
      <h1>Something went wrong</h1>
      <p class="error" role="alert">
        {message}
      </p>
      <p>
        <a href="/console">Back to the console</a>
      </p>
    </Layout>
  );
}
