"""A Dataverse (Dynamics 365) Web API subset: OData collections with `odata.maxpagesize` paging, change
tracking (`@odata.deltaLink`, `$deletedEntity`), ETag-conditional writes and upsert by PATCH."""
