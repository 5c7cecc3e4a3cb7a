// amazon-cognito-identity-js against Cognate: sign in (SRP by default), answer NEW_PASSWORD_REQUIRED,
// refresh the session. No shims: Node 20 has fetch and WebCrypto globally, and the library falls
// back to its in-memory storage without `window.localStorage`.
//
// Input:  {endpoint, userPoolId, clientId, username, password,
//          authFlow?: "USER_SRP_AUTH" | "USER_PASSWORD_AUTH", newPassword?: string, refresh?: bool}
// Result: {signIn: Outcome, newPassword?: Outcome, refresh?: {tokens} | {error}}
//         Outcome = {outcome: "success", tokens, valid} | {outcome: "failure", error}
//                 | {outcome: "newPasswordRequired", userAttributes, requiredAttributes} | {outcome: <callback>}

import { errorInfo, jwtPayload, main } from "./harness.mjs";
import cognito from "amazon-cognito-identity-js";

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = cognito;

function tokensOf(session) {
  const idToken = session.getIdToken().getJwtToken();
  const accessToken = session.getAccessToken().getJwtToken();
  return {
    idToken,
    accessToken,
    refreshToken: session.getRefreshToken().getToken(),
    idPayload: jwtPayload(idToken),
    accessPayload: jwtPayload(accessToken),
  };
}

/** The callbacks object every sign-in step of the library takes, as a promise of what happened. */
function outcome(resolve) {
  const other = (name) => (...args) => resolve({ outcome: name, args });
  return {
    onSuccess: (session) => resolve({ outcome: "success", tokens: tokensOf(session), valid: session.isValid() }),
    onFailure: (err) => resolve({ outcome: "failure", error: errorInfo(err) }),
    newPasswordRequired: (userAttributes, requiredAttributes) =>
      resolve({ outcome: "newPasswordRequired", userAttributes, requiredAttributes }),
    mfaRequired: other("mfaRequired"),
    totpRequired: other("totpRequired"),
    mfaSetup: other("mfaSetup"),
    selectMFAType: other("selectMFAType"),
    customChallenge: other("customChallenge"),
  };
}

main(async (input) => {
  const pool = new CognitoUserPool({
    UserPoolId: input.userPoolId,
    ClientId: input.clientId,
    endpoint: input.endpoint,
  });
  const user = new CognitoUser({ Username: input.username, Pool: pool });
  if (input.authFlow) user.setAuthenticationFlowType(input.authFlow);
  const details = new AuthenticationDetails({ Username: input.username, Password: input.password });

  const result = {};
  let last = (result.signIn = await new Promise((resolve) => user.authenticateUser(details, outcome(resolve))));
  if (last.outcome === "newPasswordRequired" && input.newPassword) {
    last = result.newPassword = await new Promise((resolve) =>
      user.completeNewPasswordChallenge(input.newPassword, {}, outcome(resolve)),
    );
  }
  if (last.outcome === "success" && input.refresh) {
    const session = user.getSignInUserSession();
    result.refresh = await new Promise((resolve) =>
      user.refreshSession(session.getRefreshToken(), (err, refreshed) =>
        resolve(err ? { error: errorInfo(err) } : { tokens: tokensOf(refreshed), valid: refreshed.isValid() }),
      ),
    );
  }
  return result;
});
