"""Write-back (issue 7): local shard changes pushed to the providers, in order, conflict-aware, exactly once.

- ``capture``: a local write becomes an outbox entry in the same store transaction.
- ``stores.outbox`` / ``stores.sqlite.outbox``: the coalescing per-integration outbox.
- ``push``: one entry pushed through a provider adapter (conditional writes, exactly-once creates).
- ``outbound``: three-way conflict detection and resolution for a push that lost its precondition.
- ``orchestrators.writeback``: one drainer orchestration per integration; ``activities.writeback``.
- ``api.conflicts``: list and resolve manual conflicts; ``api.writeback``: trigger, outbox listing.
"""
