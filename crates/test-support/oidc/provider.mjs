// A real OpenID Provider (panva's oidc-provider) on loopback, for Kepil's sign-in tests.
//
//   node provider.mjs [CONFIG.json]     (without a path: one JSON line on stdin)
//
// Listens on 127.0.0.1, a free port, and prints one JSON line on stdout once it serves:
// {"issuer":"http://127.0.0.1:PORT","control":"http://127.0.0.1:PORT/_test","kid":"..."}.
// Everything else it says goes to stderr. It exits when its stdin closes, so a test that dies
// without dropping its fixture leaves no provider behind. crates/test-support/src/oidc.rs
// drives it; the configuration it reads is that file's ProviderConfig, serialised.
//
// Only the protocol is the library's; the rest is this fixture's own:
// - accounts come from the configuration (with a password and a disabled flag);
// - a login form and a consent form (ids "login" and "consent"), plain HTML without scripts,
//   so a test can drive them over HTTP and WebDriver can click them;
// - /_test/...: disable an account, rotate the signing keys, mint an ID token with any claims.

import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider, { interactionPolicy } from 'oidc-provider';
import { SignJWT, exportJWK, generateKeyPair, importJWK } from 'jose';

// stdout carries the one ready line a test parses; the library's own notices must not land
// after it in a pipe nobody reads.
console.log = console.error;
console.info = console.error;

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

// Without a path the configuration is stdin's first line; stdin then stays open as the
// lifeline (a for-await loop would destroy the stream when it stops reading).
function readConfig() {
  if (process.argv[2]) {
    return Promise.resolve(JSON.parse(readFileSync(process.argv[2], 'utf8')));
  }
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline !== -1) {
        process.stdin.off('data', onData);
        process.stdin.off('end', onEnd);
        try {
          resolve(JSON.parse(buffered.slice(0, newline)));
        } catch (err) {
          reject(err);
        }
      }
    };
    const onEnd = () => {
      try {
        resolve(JSON.parse(buffered));
      } catch (err) {
        reject(err);
      }
    };
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', onData);
    process.stdin.on('end', onEnd);
  });
}

const config = await readConfig();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
// Flowing mode, so that the end of stdin is noticed.
process.stdin.on('data', () => {});

const users = new Map();
for (const user of config.users ?? []) {
  users.set(user.sub, { ...user });
}

function userByLogin(login) {
  const wanted = String(login ?? '').trim().toLowerCase();
  for (const user of users.values()) {
    if (user.sub.toLowerCase() === wanted || user.email?.toLowerCase() === wanted) {
      return user;
    }
  }
  return undefined;
}

function userClaims(user) {
  const claims = { sub: user.sub };
  for (const name of ['email', 'email_verified', 'name', 'hd', 'groups']) {
    if (user[name] !== undefined && user[name] !== null) {
      claims[name] = user[name];
    }
  }
  return claims;
}

// Signing keys are made here rather than left to the library so that /_test/id-token can sign
// arbitrary tokens with the very key the provider publishes.
async function newSigningKey() {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomBytes(9).toString('base64url'), alg: 'RS256', use: 'sig' };
}

let signingKeys = [await newSigningKey()];
// Cookies must stay readable when the provider is rebuilt for a key rotation.
const cookieKeys = [randomBytes(32).toString('base64url')];

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    console.error('provider fixture: request failed', err);
    if (!res.headersSent) {
      res.statusCode = 500;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
    }
    res.end(`fixture error: ${err.message}`);
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

function clientMetadata(client) {
  return {
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token', DEVICE_GRANT],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/callback'],
    ...client,
  };
}

const ttl = config.ttl ?? {};
const ttlNames = {
  access_token: 'AccessToken',
  authorization_code: 'AuthorizationCode',
  id_token: 'IdToken',
  refresh_token: 'RefreshToken',
  device_code: 'DeviceCode',
  session: 'Session',
  grant: 'Grant',
  interaction: 'Interaction',
};

// The library reads its configuration once, at construction; a key rotation builds a new
// Provider from this. Grants, sessions and tokens live in the library's memory adapter, which
// is shared by every Provider of the process, so they survive the rebuild.
function buildProvider() {
  const providerTtl = {};
  for (const [name, seconds] of Object.entries(ttl)) {
    if (!ttlNames[name]) throw new Error(`unknown ttl ${name}`);
    providerTtl[ttlNames[name]] = seconds;
  }
  const provider = new Provider(issuer, {
    clients: (config.clients ?? []).map(clientMetadata),
    jwks: { keys: signingKeys },
    async findAccount(ctx, sub) {
      const user = users.get(sub);
      // undefined is the library's "no such account": a disabled user's session no longer
      // counts and their refresh token fails with invalid_grant.
      if (!user || user.disabled) return undefined;
      return { accountId: sub, claims: async () => userClaims(user) };
    },
    // Code flow only, as a native app signs in (RFC 8252); no implicit or hybrid tokens.
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    // hd and groups sit under `openid`, so they come with every ID token, as Google's hd does.
    claims: {
      openid: ['sub', 'hd', 'groups'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // The library would otherwise keep scope-requested claims (email, name) to userinfo when
    // an access token is issued too; the relying party reads them from the ID token.
    conformIdTokenClaims: false,
    // Without this the library issues a refresh token only for `offline_access`, which it
    // keeps only with prompt=consent (OIDC Core 11); "always" behaves like Entra ID and
    // Keycloak for native apps. "offline_access" keeps the library's rule.
    async issueRefreshToken(ctx, client, code) {
      if (!client.grantTypeAllowed('refresh_token')) return false;
      return config.refresh_tokens === 'offline_access' ? code.scopes.has('offline_access') : true;
    },
    ttl: providerTtl,
    cookies: {
      keys: cookieKeys,
      // The library's default SameSite=None is refused by browsers on plain http; WebDriver
      // tests drive a real browser engine against this issuer.
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
      // Cookies are not scoped by port: two issuers on 127.0.0.1 driven by one cookie jar
      // must not read each other's.
      names: {
        session: `_session_${port}`,
        interaction: `_interaction_${port}`,
        resume: `_interaction_resume_${port}`,
      },
    },
    features: {
      devInteractions: { enabled: false },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: deviceInputPage,
        userCodeConfirmSource: deviceConfirmPage,
        successSource: deviceSuccessPage,
      },
      revocation: { enabled: true },
    },
    interactions: { policy: policy() },
    renderError: errorPage,
  });
  provider.on('server_error', (ctx, err) => console.error('provider fixture: server_error', err));
  return provider;
}

// The library counts a session as signed in whenever it names an account, without asking
// findAccount; a disabled user's session would then break the authorization with a
// server_error. Such a session asks for a login again, which the login form refuses.
function policy() {
  const prompts = interactionPolicy.base();
  prompts.get('login').checks.add(new interactionPolicy.Check(
    'account_unavailable',
    'the account of the session is disabled or gone',
    (ctx) => (ctx.oidc.session.accountId && !ctx.oidc.account
      ? interactionPolicy.Check.REQUEST_PROMPT
      : interactionPolicy.Check.NO_NEED_TO_PROMPT),
  ));
  return prompts;
}

let provider = buildProvider();
let providerCallback = provider.callback();

async function handle(req, res) {
  const url = new URL(req.url, issuer);
  if (url.pathname.startsWith('/_test/')) {
    return control(req, res, url);
  }
  const interaction = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login|confirm|abort))?$/);
  if (interaction) {
    return interactionRoute(req, res, interaction[2] ?? 'show');
  }
  return providerCallback(req, res);
}

// --- pages -----------------------------------------------------------------------------------

function escapeHtml(value) {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>`;
}

function send(res, status, html) {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(html);
}

function loginPage(uid, clientName, error, login) {
  const message = error ? `<p id="error" role="alert">${escapeHtml(error)}</p>\n` : '';
  return page('Sign in', `<p>to ${escapeHtml(clientName)}</p>
${message}<form id="login" method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>Email <input type="text" name="login" value="${escapeHtml(login ?? '')}" autofocus></label>
<label>Password <input type="password" name="password"></label>
<button id="submit" type="submit">Sign in</button>
</form>`);
}

function consentPage(uid, clientName, scopes) {
  return page('Allow access', `<p>${escapeHtml(clientName)} asks for: ${escapeHtml(scopes.join(' '))}</p>
<form id="consent" method="post" action="/interaction/${escapeHtml(uid)}/confirm">
<button id="allow" type="submit">Allow</button>
</form>
<form id="deny" method="get" action="/interaction/${escapeHtml(uid)}/abort">
<button id="cancel" type="submit">Cancel</button>
</form>`);
}

async function deviceInputPage(ctx, form, out, err) {
  let message = '';
  if (err) {
    // The library's re-render errors (unknown, expired, used code) carry a message meant for
    // the user; other errors only what `out` exposes.
    const text = err.expose ? err.message : (out?.error_description ?? out?.error);
    message = `<p id="error" role="alert">${escapeHtml(text ?? 'the code was not accepted')}</p>`;
  }
  ctx.type = 'html';
  ctx.body = page('Connect a device', `${message}
${form}
<button id="submit" type="submit" form="op.deviceInputForm">Continue</button>`);
}

async function deviceConfirmPage(ctx, form, client, deviceInfo, userCode) {
  ctx.type = 'html';
  ctx.body = page('Confirm the device', `<p>${escapeHtml(client.clientName ?? client.clientId)} shows the code <code id="user-code">${escapeHtml(userCode)}</code></p>
${form}
<button id="confirm" type="submit" form="op.deviceConfirmForm">Continue</button>`);
}

async function deviceSuccessPage(ctx) {
  ctx.type = 'html';
  ctx.body = page('Device connected', '<p id="device-success">You may close this page.</p>');
}

async function errorPage(ctx, out) {
  ctx.type = 'html';
  ctx.body = page('Sign-in error', `<p id="error" role="alert"><code id="error-code">${escapeHtml(out.error)}</code>
<span id="error-description">${escapeHtml(out.error_description ?? '')}</span></p>`);
}

// --- interactions ----------------------------------------------------------------------------

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function finish(req, res, result, merge) {
  const returnTo = await provider.interactionResult(req, res, result, {
    mergeWithLastSubmission: merge,
  });
  res.statusCode = 303;
  res.setHeader('location', returnTo);
  res.setHeader('content-length', '0');
  res.end();
}

async function grantConsent(req, res, details) {
  const { prompt, params, session, grantId: existing } = details;
  const grant = existing
    ? await provider.Grant.find(existing)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  if (prompt.details.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  const grantId = await grant.save();
  return finish(req, res, { consent: existing ? {} : { grantId } }, true);
}

async function interactionRoute(req, res, action) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (err) {
    return send(res, 400, page('Sign-in error', `<p id="error" role="alert">${escapeHtml(err.message)}</p>`));
  }
  const { uid, prompt, params } = details;
  const client = await provider.Client.find(params.client_id);
  const clientName = client?.clientName ?? params.client_id;

  if (action === 'abort') {
    return finish(req, res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, false);
  }

  if (action === 'show') {
    if (prompt.name === 'login') {
      return send(res, 200, loginPage(uid, clientName));
    }
    if (prompt.name === 'consent') {
      if (config.consent === 'form') {
        return send(res, 200, consentPage(uid, clientName, String(params.scope ?? '').split(' ')));
      }
      // An agency's own IdP grants its internal apps without asking (admin consent).
      return grantConsent(req, res, details);
    }
    return send(res, 400, page('Sign-in error', `<p id="error">unexpected prompt ${escapeHtml(prompt.name)}</p>`));
  }

  if (req.method !== 'POST') {
    return send(res, 405, page('Sign-in error', '<p id="error">use POST</p>'));
  }
  const form = new URLSearchParams(await readBody(req));

  if (action === 'login') {
    if (prompt.name !== 'login') {
      return send(res, 400, page('Sign-in error', '<p id="error">no login pending</p>'));
    }
    const user = userByLogin(form.get('login'));
    if (!user || user.password !== form.get('password')) {
      return send(res, 200, loginPage(uid, clientName, 'Wrong email or password.', form.get('login')));
    }
    if (user.disabled) {
      return send(res, 200, loginPage(uid, clientName, 'This account is disabled.', form.get('login')));
    }
    return finish(req, res, { login: { accountId: user.sub } }, false);
  }

  // action === 'confirm'
  if (prompt.name !== 'consent') {
    return send(res, 400, page('Sign-in error', '<p id="error">no consent pending</p>'));
  }
  return grantConsent(req, res, details);
}

// --- control endpoint ------------------------------------------------------------------------

function json(res, status, body) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(body === undefined ? '' : JSON.stringify(body));
}

async function readJson(req) {
  const text = await readBody(req);
  return text ? JSON.parse(text) : {};
}

async function control(req, res, url) {
  if (req.method !== 'POST') {
    return json(res, 405, { error: 'use POST' });
  }
  const account = url.pathname.match(/^\/_test\/users\/([^/]+)\/(disable|enable)$/);
  if (account) {
    const user = users.get(decodeURIComponent(account[1]));
    if (!user) return json(res, 404, { error: `no user ${account[1]}` });
    user.disabled = account[2] === 'disable';
    return json(res, 200, { sub: user.sub, disabled: user.disabled });
  }
  if (url.pathname === '/_test/rotate-keys') {
    const { keep_previous: keepPrevious = true } = await readJson(req);
    // The first key of the set is the one the library signs with.
    const fresh = await newSigningKey();
    signingKeys = keepPrevious ? [fresh, ...signingKeys] : [fresh];
    provider = buildProvider();
    providerCallback = provider.callback();
    return json(res, 200, { kid: fresh.kid, kids: signingKeys.map((k) => k.kid) });
  }
  if (url.pathname === '/_test/id-token') {
    return json(res, 200, { id_token: await mint(await readJson(req)) });
  }
  return json(res, 404, { error: `no control endpoint ${url.pathname}` });
}

// Defaults make a token the provider could have issued; `claims` overrides them (null drops a
// claim). `key: "unpublished"` signs with a fresh key missing from the JWKS.
async function mint({ claims = {}, key = 'current' }) {
  const now = Math.floor(Date.now() / 1000);
  const user = claims.sub !== undefined ? users.get(claims.sub) : undefined;
  const payload = {
    iss: issuer,
    aud: config.clients?.[0]?.client_id,
    iat: now,
    exp: now + (ttl.id_token ?? 3600),
    auth_time: now,
    ...(user ? userClaims(user) : {}),
    ...claims,
  };
  for (const [name, value] of Object.entries(payload)) {
    if (value === null) delete payload[name];
  }
  let jwk;
  if (key === 'current') {
    [jwk] = signingKeys;
  } else if (key === 'unpublished') {
    jwk = await newSigningKey();
  } else {
    throw new Error(`unknown key ${key}: current or unpublished`);
  }
  return new SignJWT(payload)
    .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: 'JWT' })
    .sign(await importJWK(jwk, jwk.alg));
}

process.stdout.write(`${JSON.stringify({ issuer, control: `${issuer}/_test`, kid: signingKeys[0].kid })}\n`);
