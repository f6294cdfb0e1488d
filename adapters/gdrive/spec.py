"""Drive quirks as data.

Sources: Drive v3 reference (files.list, files.update, changes.list, changes.getStartPageToken),
developers.google.com/workspace/drive/api/guides/manage-changes, .../guides/handle-errors,
.../guides/limits, and the service-account guide
(developers.google.com/identity/protocols/oauth2/service-account).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

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
    """An Integration's ``connection`` for Drive (camelCase as in api.md).

    The service account is the credential (``jwt_bearer``: ``issuer`` = the account's email,
    ``subject`` = the Workspace user to act as under domain-wide delegation, the private key).
    """

    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True, extra="ignore")

    base_url: str = DRIVE_BASE_URL
    # Drive's own query language; the default keeps trashed files out of a full read.
    files_query: str = "trashed = false"
    # Drive deletes permanently; trashing is recoverable, so delete() trashes unless told otherwise.
    delete_permanently: bool = False
