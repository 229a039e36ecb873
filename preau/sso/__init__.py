"""Single sign-on: Préau as CAS server (cas/), OpenID Connect provider (oidc/) and SAML2
service provider federated with EduConnect and the académies' identity providers (saml/).

Each protocol is its own Django app with the usual files, so their tables and migrations stay apart.
"""
