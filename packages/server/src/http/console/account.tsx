/** Sign-up, sign-in and sign-out pages. */
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { LOGIN_FAILED, SESSION_TTL_MS, endSession, signIn, signUp, startSession } from '../../core/accounts.js';
import { MIN_PASSWORD_LENGTH } from '../../core/passwords.js';
import { formTargetsForNext } from '../../core/oauth/authorize.js';
import type { UserRecord } from '../../core/model/user.js';
import { clearSession, csrfToken, readSession, rotateCsrf, writeSession } from '../cookies.js';
import type { AppEnv } from '../env.js';
import type { Runtime } from '../../core/runtime.js';
import { clientIp } from '../ip.js';
import { FormError, formRefusal } from './components.js';
import { Layout } from './layout.js';
import { field, formWithCsrf, safeNext } from './session.js';

interface FormProps {
  csrf: string;
  next: string;
  email?: string;
  error?: string | undefined;
  invite?: string | undefined;
}

function SignupPage({ csrf, next, email, error, invite }: FormProps) {
  return (
    <Layout title="Create your account">
      <h1>Create your account</h1>
      <form class="card" method="post" action="/console/signup">
        <FormError message={error} />
        <input type="hidden" name="csrf" value={csrf} />
        <input type="hidden" name="next" value={next} />
        {invite ? <input type="hidden" name="invite" value={invite} /> : null}
        <label for="email">Email</label>
        <input id="email" type="email" name="email" value={email ?? ''} autocomplete="username" required />
        <label for="password">Password</label>
        <input id="password" type="password" name="password" autocomplete="new-password" minlength={MIN_PASSWORD_LENGTH} required />
        <p>At least {MIN_PASSWORD_LENGTH} characters. The first account becomes the administrator.</p>
        <button type="submit">Create account</button>
      </form>
      <p>
        Already have an account? <a href={`/console/login?next=${encodeURIComponent(next)}`}>Sign in</a>
      </p>
    </Layout>
  );
}

function LoginPage({ csrf, next, email, error, signedUp }: FormProps & { signedUp?: boolean }) {
  return (
    <Layout title="Sign in">
      <h1>Sign in</h1>
      {signedUp ? (
        <p class="ok" role="status">
          If that address was new, its account is ready. If it already had one, its password has not changed. Sign in below.
        </p>
      ) : null}
      <form class="card" method="post" action="/console/login">
        <FormError message={error} />
        <input type="hidden" name="csrf" value={csrf} />
        <input type="hidden" name="next" value={next} />
        <label for="email">Email</label>
        <input id="email" type="email" name="email" value={email ?? ''} autocomplete="username" required />
        <label for="password">Password</label>
        <input id="password" type="password" name="password" autocomplete="current-password" required />
        <p>
          <button type="submit">Sign in</button>
        </p>
      </form>
      <p>
        No account yet? <a href={`/console/signup?next=${encodeURIComponent(next)}`}>Create one</a>
      </p>
    </Layout>
  );
}

export function accountPageRoutes(rt: Runtime): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { config } = rt;
  const secure = config.secure;

  const begin = async (c: Context<AppEnv>, user: UserRecord, next: string) => {
    const session = await startSession(rt, user, clientIp(c, config.trustProxy));
    writeSession(c, secure, session.token, Math.floor(SESSION_TTL_MS / 1000));
    rotateCsrf(c, secure);
    return c.redirect(safeNext(next), 303);
  };

  app.get('/console/signup', async (c) => {
    const next = safeNext(c.req.query('next'));
    return c.html(<SignupPage csrf={csrfToken(c, secure)} next={next} invite={c.req.query('invite')} />);
  });

  app.post('/console/signup', async (c) => {
    const form = await formWithCsrf(rt, c);
    const email = field(form, 'email');
    const next = safeNext(field(form, 'next'));
    const invite = field(form, 'invite') || undefined;
    try {
      await signUp(rt, config.signup, clientIp(c, config.trustProxy), { email, password: field(form, 'password'), invite });
    } catch (err) {
      const refused = formRefusal(err);
      // An address that already has an account gets the answer a new one gets (below).
      if (refused.code !== 'conflict') {
        const page = <SignupPage csrf={csrfToken(c, secure)} next={next} email={email} error={refused.detail} invite={invite} />;
        return c.html(page, refused.status as ContentfulStatusCode);
      }
    }
    // The same answer whether the address was new or already registered, so sign-up does not
    // tell who has an account: no session either way; the new user signs in next.
    return c.redirect(`/console/login?signed_up=1&next=${encodeURIComponent(next)}`, 303);
  });

  app.get('/console/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    c.set('formTargets', await formTargetsForNext(rt, next));
    return c.html(<LoginPage csrf={csrfToken(c, secure)} next={next} signedUp={c.req.query('signed_up') === '1'} />);
  });

  app.post('/console/login', async (c) => {
    const form = await formWithCsrf(rt, c);
    const email = field(form, 'email');
    const next = safeNext(field(form, 'next'));
    c.set('formTargets', await formTargetsForNext(rt, next));
    try {
      const user = await signIn(rt, clientIp(c, config.trustProxy), email, field(form, 'password'));
      return await begin(c, user, next);
    } catch (err) {
      const refused = formRefusal(err);
      const message = refused.code === 'throttled' ? 'Too many attempts. Wait a few minutes and try again.' : LOGIN_FAILED;
      if (refused.code === 'throttled') c.header('Retry-After', String(refused.extra.retry_after));
      return c.html(<LoginPage csrf={csrfToken(c, secure)} next={next} email={email} error={message} />, refused.status as ContentfulStatusCode);
    }
  });

  app.post('/console/logout', async (c) => {
    await formWithCsrf(rt, c);
    const token = readSession(c, secure);
    if (token) await endSession(rt, token);
    clearSession(c, secure);
    rotateCsrf(c, secure);
    return c.redirect('/console/login', 303);
  });

  return app;
}
