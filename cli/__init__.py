"""The command line: `debate-prep SUBCOMMAND`. Imports no Qt; its commands call `app/`."""
