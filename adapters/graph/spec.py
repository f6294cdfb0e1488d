"""Graph quirks as data: one typed spec per entity, read by the adapter instead of branching on names.

Sources: Graph v1.0 reference (microsoftgraph/microsoft-graph-docs-contrib): driveitem-delta.md,
chatmessage-delta.md, chat-list-messages.md, concepts/delta-query-overview.md, concepts/throttling.md.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

GRAPH_BASE_URL = "https://graph.microsoft.com/v1.0"
# Entra ID v2 token endpoint; client credentials ask for the resource's ".default" scope.
TOKEN_URL_TEMPLATE = "https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class ReadKind(StrEnum):
    """How an entity is read."""

    DELTA = "delta"  # @odata.nextLink pages ending in an @odata.deltaLink to store
    WINDOW = "window"  # $filter on lastModifiedDateTime (gt/lt), newest first, @odata.nextLink pages


class EntitySpec(BaseModel):
    """One Graph collection: where it lives, how it pages and how it says 'deleted'."""

    model_config = ConfigDict(frozen=True)

    name: str
    path: str  # relative to GRAPH_BASE_URL, with {placeholders} filled from GraphConnection
    read: ReadKind
    max_page_size: int
    page_size_param: str | None  # None: the collection ignores $top
    version_field: str  # the property conditional writes send back (If-Match)
    writable: bool
    # A non-null value in this property marks a soft-deleted record (Teams messages).
    deleted_marker_field: str | None = None
    # Facet whose presence marks a deleted driveItem (OneDrive 'deleted' facet).
    deleted_facet: str | None = None


ENTITIES: dict[str, EntitySpec] = {
    spec.name: spec
    for spec in (
        # OneDrive: $top is honoured by delta; writes are PATCH/DELETE with If-Match on the eTag.
        EntitySpec(
            name="driveItems",
            path="/drives/{drive_id}/root/delta",
            read=ReadKind.DELTA,
            max_page_size=1000,
            page_size_param="$top",
            version_field="eTag",
            writable=True,
            deleted_facet="deleted",
        ),
        # Teams channel messages: delta returns messages of the last eight months; $top max 50.
        EntitySpec(
            name="channelMessages",
            path="/teams/{team_id}/channels/{channel_id}/messages/delta",
            read=ReadKind.DELTA,
            max_page_size=50,
            page_size_param="$top",
            version_field="etag",
            writable=False,
            deleted_marker_field="deletedDateTime",
        ),
        # Chat messages have no delta: $orderby lastModifiedDateTime desc with gt/lt $filter; $top max 50.
        EntitySpec(
            name="chatMessages",
            path="/chats/{chat_id}/messages",
            read=ReadKind.WINDOW,
            max_page_size=50,
            page_size_param="$top",
            version_field="etag",
            writable=False,
            deleted_marker_field="deletedDateTime",
        ),
    )
}


class GraphConnection(BaseModel):
    """An Integration's ``connection`` for Graph (camelCase as in api.md): the tenant and the targets.

    The app registration's client id and secret are the credential (``oauth2_client_credentials``),
    kept in the secret store, not here.
    """

    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True, extra="ignore")

    tenant_id: str | None = None
    drive_id: str | None = None
    team_id: str | None = None
    channel_id: str | None = None
    chat_id: str | None = None
    base_url: str = GRAPH_BASE_URL

    def token_url(self) -> str | None:
        """The Entra v2 token endpoint of the tenant, when the connection names one."""
        return TOKEN_URL_TEMPLATE.format(tenant_id=self.tenant_id) if self.tenant_id else None
