"""Drive quirks as data.

Sources: Drive v3 reference (files.list, files.update, changes.list, changes.getStartPageToken),
developers.google.com/workspace/drive/api/guides/manage-changes, .../guides/handle-errors,
.../guides/limits, and the service-account guide
(developers.google.com/identity/protocols/oauth2/service-account).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

DRIVE_BASE_URL = "https://www.googleapis.com/drive/v3"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive"

# files.list and changes.list accept pageSize 1..1000 (files.list documents 1000 as its maximum).
MAX_PAGE_SIZE = 1000

# Ask for the fields the engine maps; Drive returns only id/name/mimeType/kind without `fields`.
FILE_FIELDS = "id,name,mimeType,parents,trashed,version,modifiedTime,createdTime,md5Checksum,size,driveId"
LIST_FIELDS = f"nextPageToken,incompleteSearch,files({FILE_FIELDS})"
CHANGE_FIELDS = f"nextPageToken,newStartPageToken,changes(changeType,fileId,removed,time,file({FILE_FIELDS}))"

# Query parameters that make files and changes span shared drives (manage-changes guide).
ALL_DRIVES = {"supportsAllDrives": "true", "includeItemsFromAllDrives": "true"}

# Error reasons Drive uses for throttling, sent with 403 as well as 429 (handle-errors guide).
RATE_LIMIT_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded", "sharingRateLimitExceeded"})
# A rejected changes page token "should be discarded, and pagination restarted" (ChangeList docs).
PAGE_TOKEN_PARAM = "pageToken"

ENTITY = "files"


class DriveConnection(BaseModel):
    """A service account (JSON key fields) and, with domain-wide delegation, the user to act as."""

    model_config = ConfigDict(frozen=True)

    client_email: str
    private_key: SecretStr
    private_key_id: str | None = None
    subject: str | None = None  # domain-wide delegation: the Workspace user to impersonate
    scopes: list[str] = Field(default_factory=lambda: [DRIVE_SCOPE])
    token_uri: str = GOOGLE_TOKEN_URL
    base_url: str = DRIVE_BASE_URL
    # Drive's own query language; the default keeps trashed files out of a full read.
    files_query: str = "trashed = false"
    # Drive deletes permanently; trashing is recoverable, so delete() trashes unless told otherwise.
    delete_permanently: bool = False
