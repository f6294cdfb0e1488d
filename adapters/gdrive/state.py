"""The continuation of a full listing, carried in ``Cursor.token``.

A full read asks for ``changes.getStartPageToken`` *before* listing files, so every change made
while the listing runs is replayed by the next incremental read (manage-changes guide). Both
tokens must survive between pages, so the listing's continuation is this small typed state,
serialised as JSON. An incremental cursor holds the bare Drive page token instead; Drive page
tokens are opaque strings that never start with ``{``, which tells the two apart.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError

from core.errors import MalformedResponse


class ListingState(BaseModel):
    """Where a files.list run stands, and the change token to continue from once it ends."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start_page_token: str
    page_token: str | None = None

    def encode(self) -> str:
        """The string stored in ``Cursor.token``."""
        return self.model_dump_json()

    @classmethod
    def decode(cls, token: str | None) -> ListingState | None:
        """The listing state in ``token``, or ``None`` when it is a Drive change token (or empty)."""
        if not token or not token.startswith("{"):
            return None
        try:
            return cls.model_validate_json(token)
        except ValidationError as exc:
            raise MalformedResponse("stored Drive listing state is unreadable", provider="gdrive") from exc
