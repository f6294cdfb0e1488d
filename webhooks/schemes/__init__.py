"""One module per signature scheme: its config model, ``check`` and ``event_id``."""
