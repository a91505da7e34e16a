import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { jwtAuthenticator } from './jwt.js';

const SECRET = 'a-test-secret-of-sufficient-length-for-hs256';

function request(options: { authorization?: string; url?: string }): IncomingMessage {
  const headers = options.authorization === undefined ? {} : { authorization: options.authorization };
  return { headers, url: options.url ?? '/hub' } as IncomingMessage;
}

async function hs256(claims: Record<string, unknown>, options: { expiresIn?: number | string; issuer?: string } = {}): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(options.expiresIn ?? '1h');
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer);
  return await jwt.sign(new TextEncoder().encode(SECRET));
}

test('reads the token from the bearer header or the access_token query', async () => {
  const authenticate = jwtAuthenticator({ secret: SECRET });
  const jwt = await hs256({ sub: 'ann', role: 'admin' });
  const fromHeader = await authenticate(request({ authorization: `Bearer ${jwt}` }));
  assert.equal(fromHeader?.userId, 'ann');
  assert.equal(fromHeader?.claims['role'], 'admin');
  assert.equal(typeof fromHeader?.expiresAt, 'number');
  const fromQuery = await authenticate(request({ url: `/hub?id=x&access_token=${encodeURIComponent(jwt)}` }));
  assert.equal(fromQuery?.userId, 'ann');
  assert.equal(await authenticate(request({})), undefined);
});

test('invalid, expired, wrongly signed or wrong-issuer tokens are anonymous', async () => {
  const authenticate = jwtAuthenticator({ secret: SECRET, issuer: 'switchyard' });
  const good = await hs256({ sub: 'ann' }, { issuer: 'switchyard' });
  assert.equal((await authenticate(request({ authorization: `Bearer ${good}` })))?.userId, 'ann');
  const expired = await hs256({ sub: 'ann' }, { issuer: 'switchyard', expiresIn: Math.floor(Date.now() / 1000) - 10 });
  const otherIssuer = await hs256({ sub: 'ann' }, { issuer: 'elsewhere' });
  const otherSecret = await new SignJWT({ sub: 'ann' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(40)));
  for (const token of [expired, otherIssuer, otherSecret, 'not.a.jwt', 'garbage']) {
    assert.equal(await authenticate(request({ authorization: `Bearer ${token}` })), undefined, token);
  }
});

test('the user id comes from userIdClaim, else from the .NET NameIdentifier claim', async () => {
  const byClaim = jwtAuthenticator({ secret: SECRET, userIdClaim: 'email' });
  const jwt = await hs256({ sub: 'ann', email: 'ann@example.com' });
  assert.equal((await byClaim(request({ authorization: `Bearer ${jwt}` })))?.userId, 'ann@example.com');
  const byDefault = jwtAuthenticator({ secret: SECRET });
  const dotnet = await hs256({ nameid: 'dotnet-user' });
  assert.equal((await byDefault(request({ authorization: `Bearer ${dotnet}` })))?.userId, 'dotnet-user');
  const anonymousUser = await hs256({ role: 'guest' });
  const principal = await byDefault(request({ authorization: `Bearer ${anonymousUser}` }));
  assert.ok(principal !== undefined);
  assert.equal(principal.userId, undefined);
});

test('asymmetric keys: a public key as JWK verifies, another key does not', async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const other = await generateKeyPair('ES256');
  const authenticate = jwtAuthenticator({ key: await exportJWK(publicKey) });
  const signed = await new SignJWT({ sub: 'ec' }).setProtectedHeader({ alg: 'ES256' }).setExpirationTime('1h').sign(privateKey);
  const forged = await new SignJWT({ sub: 'ec' }).setProtectedHeader({ alg: 'ES256' }).setExpirationTime('1h').sign(other.privateKey);
  assert.equal((await authenticate(request({ authorization: `Bearer ${signed}` })))?.userId, 'ec');
  assert.equal(await authenticate(request({ authorization: `Bearer ${forged}` })), undefined);
});

test('jwksUrl: keys are fetched from a JSON Web Key Set and chosen by kid', async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const authenticate = jwtAuthenticator({ jwksUrl: `http://127.0.0.1:${port}/jwks.json` });
    const signed = await new SignJWT({ sub: 'rs' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setExpirationTime('1h').sign(privateKey);
    assert.equal((await authenticate(request({ authorization: `Bearer ${signed}` })))?.userId, 'rs');
    const unknownKid = await new SignJWT({ sub: 'rs' }).setProtectedHeader({ alg: 'RS256', kid: 'k2' }).setExpirationTime('1h').sign(privateKey);
    assert.equal(await authenticate(request({ authorization: `Bearer ${unknownKid}` })), undefined);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('exactly one of secret, jwksUrl, key', () => {
  assert.throws(() => jwtAuthenticator({}), { code: 'ERR_HUB_INVALID_OPTION' });
  assert.throws(() => jwtAuthenticator({ secret: SECRET, jwksUrl: 'https://example.com/jwks' }), { code: 'ERR_HUB_INVALID_OPTION' });
});
