"""Google Drive v3 adapter: files (files.list), changes (changes.list from a start page token)."""
