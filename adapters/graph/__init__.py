"""Microsoft Graph adapter: OneDrive driveItems (delta), Teams channel messages (delta) and chat messages."""
