"""Stores kept as plain files under the data directory (the embedded backend's staged pages)."""
