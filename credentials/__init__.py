"""Credentials: saving and reading them (secrets in the secret store, metadata in the record
store) and refreshing OAuth tokens through one app-wide, per-credential critical section.

    credentials.service.CredentialService    save / metadata / open (the sync activities' hook)
    credentials.refresh.CredentialRefresher  refresh_credential: lease, re-read, refresh, CAS persist
    credentials.session.CredentialSession    on_token + TokenRenewer for adapters.registry.build_adapter
    credentials.runtime.credential_service   the process's service, built once from Settings
"""
