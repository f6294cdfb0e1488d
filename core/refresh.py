"""Updates of shards nobody edited since their last sync, made on their stored documents.

Most records an incremental sync reads changed at the provider only: ``resolve_inbound`` applies the remote
values and the link is refreshed. Validating each stored shard into a ``Shard``, copying it and dumping it
again cost a page of such updates about as much as everything else in saving it, so ``refreshed_document``
builds the new document from the stored one instead. It is equal to what the model path
(``core.inbound._updated_shard``) writes, which a test compares over many cases. Every shard the shortcut does
not cover goes the model path: another link besides this integration's, a three-way base, a local edit since
the last sync, or a document with fields this version does not know (they would be dropped there).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from core.models import ExternalRelationship, Shard
from core.models.base import TEXT_MAX_LENGTH

_SHARD_FIELDS = frozenset(f.alias or name for name, f in Shard.model_fields.items() if name != "etag")
_LINK_FIELDS = frozenset(f.alias or name for name, f in ExternalRelationship.model_fields.items())


def json_time(when: datetime) -> str:
    """``when`` as the models serialise a UTC datetime (ISO 8601, ``Z``, no zero microseconds)."""
    text = when.astimezone(UTC).replace(tzinfo=None).isoformat()
    return f"{text}Z"


def _time(text: Any) -> datetime | None:
    return _parsed(text) if isinstance(text, str) else None


@functools.lru_cache(maxsize=256)  # the shards of one page share their times: made by the same page before
def _parsed(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)  # 3.11 reads the "Z" suffix
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


@functools.lru_cache(maxsize=256)
def _normal(text: str) -> str:
    return json_time(_parsed(text))


def own_clean_link(stored: Mapping[str, Any], integration_id: str) -> Mapping[str, Any] | None:
    """The stored shard's one link, when it is ``integration_id``'s and the shard was not edited since that
    link's last sync (no base, ``updatedAt`` not after ``lastSyncedAt``); ``None`` otherwise."""
    if stored.keys() != _SHARD_FIELDS or not isinstance(stored["structuredData"], dict):
        return None
    links = stored["externalRelationships"]
    if not isinstance(links, list) or len(links) != 1:
        return None
    link = links[0]
    if not isinstance(link, dict) or link.keys() != _LINK_FIELDS or link["integrationId"] != integration_id:
        return None
    if link["baseData"] is not None or not isinstance(stored["createdAt"], str | None):
        return None
    edited, synced = _time(stored["updatedAt"]), _time(link["lastSyncedAt"])
    if edited is not None and synced is not None and edited > synced:
        return None
    return link


def refreshed_document(
    stored: Mapping[str, Any], data: Mapping[str, Any], link: dict[str, Any]
) -> dict[str, Any] | None:
    """The document of ``stored`` (which has an ``own_clean_link``) with the provider's ``data`` applied and
    ``link``, the record's relationship as the model path makes it for this page, in place of the old one;
    ``None`` for an external id the model would refuse (the model path raises its error)."""
    if not 0 < len(link["externalId"]) <= TEXT_MAX_LENGTH:
        return None
    created = stored["createdAt"]
    return {
        "id": stored["id"], "tenantId": stored["tenantId"], "shardTypeId": stored["shardTypeId"],
        "structuredData": {**stored["structuredData"], **data}, "externalRelationships": [link],
        "createdAt": _normal(created) if created is not None else None,
        "updatedAt": link["lastSyncedAt"], "deletedAt": None,
    }
