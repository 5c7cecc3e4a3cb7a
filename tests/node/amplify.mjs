// Amplify JS v6 (aws-amplify, @aws-amplify/auth) against Cognate: signIn (USER_SRP_AUTH by default,
// or the authFlowType given), confirmSignIn with a new password, fetchAuthSession (optionally forcing
// a refresh: GetTokensFromRefreshToken), getCurrentUser, fetchUserAttributes (GetUser), signOut
// (RevokeToken).
//
// Node shims: none for fetch or crypto on Node 20 (globals; harness.mjs covers Node 18's crypto).
// Tokens go to Amplify's own in-memory KeyValueStorage (`sharedInMemoryStorage`), set with the
// documented `cognitoUserPoolsTokenProvider.setKeyValueStorage`, instead of relying on the silent
// fallback from `window.localStorage`.
//
// Input:  {endpoint, userPoolId, clientId, username, password,
//          authFlowType?: "USER_SRP_AUTH" | "USER_PASSWORD_AUTH", newPassword?: string, forceRefresh?: bool}
// Result: {signIn, confirmSignIn?, currentUser?, session?, refreshed?, attributes?, refreshToken?,
//         afterSignOut?}, where a failed step is {error: {name, message, underlying?}};
//         `refreshToken` is read from Amplify's token store before signing out.

import { calls, errorInfo, main } from "./harness.mjs";
import { Amplify } from "aws-amplify";
import {
  confirmSignIn,
  fetchAuthSession,
  fetchUserAttributes,
  getCurrentUser,
  signIn,
  signOut,
} from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";
import { sharedInMemoryStorage } from "aws-amplify/utils";

async function step(fn) {
  try {
    return await fn();
  } catch (err) {
    return { error: errorInfo(err) };
  }
}

async function sessionTokens(options) {
  const session = await fetchAuthSession(options);
  const { idToken, accessToken } = session.tokens ?? {};
  return {
    userSub: session.userSub ?? null,
    idToken: idToken ? idToken.toString() : null,
    accessToken: accessToken ? accessToken.toString() : null,
    idPayload: idToken?.payload ?? null,
    accessPayload: accessToken?.payload ?? null,
  };
}

main(async (input) => {
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: input.userPoolId,
        userPoolClientId: input.clientId,
        userPoolEndpoint: input.endpoint,
      },
    },
  });
  cognitoUserPoolsTokenProvider.setKeyValueStorage(sharedInMemoryStorage);

  const result = {};
  const options = input.authFlowType ? { authFlowType: input.authFlowType } : undefined;
  let last = (result.signIn = await step(() =>
    signIn({ username: input.username, password: input.password, options }),
  ));
  if (last.nextStep?.signInStep === "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED" && input.newPassword) {
    last = result.confirmSignIn = await step(() => confirmSignIn({ challengeResponse: input.newPassword }));
  }
  if (!last.isSignedIn) return result;

  result.currentUser = await step(() => getCurrentUser());
  result.session = await step(() => sessionTokens());
  if (input.forceRefresh) {
    const before = calls.length;
    result.refreshed = await step(() => sessionTokens({ forceRefresh: true }));
    result.refreshed.operations = calls.slice(before).map((c) => c.operation);
  }
  result.attributes = await step(() => fetchUserAttributes()); // GetUser with the latest access token
  // The refresh token is not part of fetchAuthSession's answer; Amplify's token store has it.
  result.refreshToken = (await cognitoUserPoolsTokenProvider.authTokenStore.loadTokens())?.refreshToken ?? null;
  const signedOut = await step(() => signOut());
  result.afterSignOut = {
    signOutError: signedOut?.error ?? null,
    session: await step(() => sessionTokens()),
    currentUser: await step(() => getCurrentUser()),
  };
  return result;
});
