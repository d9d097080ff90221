"""The Settings dialog, its Web group, and the status bar's web switch."""
