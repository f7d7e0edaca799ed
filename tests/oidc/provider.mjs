// A council's identity provider for the sign-in tests: oidc-provider on loopback.
// Configured from the environment by tests/test_sso.py; accounts are fictional.
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
// {"alice": {"email": ..., "name": ..., "roles": [...], "roles_by_client": {"<client_id>": [...]}, "email_verified": false}}
const accounts = JSON.parse(process.env.ACCOUNTS);
// One issuer may serve several councils: CLIENTS is a JSON list of them; else the single CLIENT_* variables.
const clients = process.env.CLIENTS ? JSON.parse(process.env.CLIENTS) : [{
  client_id: process.env.CLIENT_ID,
  client_secret: process.env.CLIENT_SECRET,
  redirect_uri: process.env.REDIRECT_URI,
  post_logout_redirect_uri: process.env.POST_LOGOUT_REDIRECT_URI,
}];

const provider = new Provider(issuer, {
  clients: clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: [c.redirect_uri],
    post_logout_redirect_uris: [c.post_logout_redirect_uri],
    grant_types: ["authorization_code"],
    response_types: ["code"],
  })),
  jwks: JSON.parse(process.env.JWKS),
  pkce: { required: () => true },
  scopes: ["openid", "email", "profile", "roles"],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], roles: ["roles"] },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: ["test-only-cookie-key"] },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    const { roles_by_client: byClient, ...claims } = account;
    const client = ctx.oidc && ctx.oidc.client ? ctx.oidc.client.clientId : undefined;
    const roles = byClient && client in byClient ? byClient[client] : claims.roles;
    return { accountId: id, async claims() { return { sub: id, email_verified: true, ...claims, roles }; } };
  },
  // Consent is the council's business, not the tests': grant what the client asks for.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope("openid email profile roles");
    grant.addOIDCClaims(["email", "name", "roles", "email_verified"]);
    await grant.save();
    return grant;
  },
});
provider.proxy = false;
provider.listen(port, "127.0.0.1", () => console.log(`listening ${issuer}`));
