"""Ways to sign in, each a plugin: the council's own SSO (``oidc``), development sign-in
(``dev_sign_in``), and the sign-in and sign-out pages (``views``). Who is signed in lives in
``core.http.session``."""
