"""Documents: Word files opened, edited and saved as a whole (issue 14), Qt-free."""
