// aws-jwt-verify against Cognate's tokens and JWKS.
//
// `CognitoJwtVerifier` derives the issuer and JWKS URI from the pool id
// (https://cognito-idp.<region>.amazonaws.com/<poolId>) and cannot be pointed elsewhere, so this
// uses the library's documented recipe for Cognito tokens from another issuer: the generic
// `JwtVerifier` with `audience: null` and `validateCognitoJwtFields` in `customJwtCheck` (README,
// "Using the generic JWT verifier for Cognito JWTs"). The library's default fetcher speaks HTTPS only,
// so the JWKS cache gets a `Fetcher` over Node's fetch (README, "Using a different Fetcher with
// SimpleJwksCache"): Cognate serves plain HTTP in the tests.
//
// With `userPoolId` and `jwks` instead of `issuer` and `jwksUri`, the unchanged `CognitoJwtVerifier` is
// used, its cache loaded with `cacheJwks(jwks)` (README, "Loading the JWKS from file"): that works for a
// Cognate whose COGNATE_PUBLIC_URL is https://cognito-idp.<region>.amazonaws.com, so that its issuer is
// exactly the one the verifier derives.
//
// Input:  {issuer, jwksUri | userPoolId, jwks, checks: [{label, token, tokenUse: "id"|"access", clientId}]}
// Result: {jwksFetches, checks: [{label, valid: true, payload} | {label, valid: false, error}]}

import { errorInfo, main } from "./harness.mjs";
import { CognitoJwtVerifier, JwtVerifier } from "aws-jwt-verify";
import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";

class NodeFetchFetcher {
  fetches = 0;

  constructor(offline) {
    this.offline = offline;
  }

  async fetch(uri) {
    this.fetches += 1;
    if (this.offline) throw new Error(`GET ${uri}: refused, the JWKS was preloaded with cacheJwks`);
    const response = await fetch(uri, { signal: AbortSignal.timeout(5000) });
    if (response.status !== 200) {
      throw new Error(`GET ${uri}: status ${response.status}, expected 200`);
    }
    return response.arrayBuffer();
  }
}

main(async (input) => {
  const fetcher = new NodeFetchFetcher(Boolean(input.userPoolId));
  const jwksCache = new SimpleJwksCache({ fetcher });
  const verifiers = new Map();
  const create = (tokenUse, clientId) => {
    if (input.userPoolId) {
      const verifier = CognitoJwtVerifier.create({ userPoolId: input.userPoolId, tokenUse, clientId }, { jwksCache });
      verifier.cacheJwks(input.jwks);
      return verifier;
    }
    return JwtVerifier.create(
      {
        issuer: input.issuer,
        jwksUri: input.jwksUri,
        audience: null, // checked per token use below: `aud` on ID tokens, `client_id` on access tokens
        customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse, clientId }),
      },
      { jwksCache },
    );
  };
  const verifierFor = (tokenUse, clientId) => {
    const key = `${tokenUse}|${clientId}`;
    if (!verifiers.has(key)) verifiers.set(key, create(tokenUse, clientId));
    return verifiers.get(key);
  };

  const checks = [];
  for (const check of input.checks) {
    try {
      const payload = await verifierFor(check.tokenUse, check.clientId).verify(check.token);
      checks.push({ label: check.label, valid: true, payload });
    } catch (err) {
      checks.push({ label: check.label, valid: false, error: errorInfo(err) });
    }
  }
  return { jwksFetches: fetcher.fetches, checks };
});
