"""The Models window: catalog, fit, download, import and use."""
