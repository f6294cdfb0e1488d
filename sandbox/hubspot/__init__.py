"""A HubSpot CRM v3 subset: list with `after` paging, search, create, update and archive."""
