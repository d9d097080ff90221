"""The card editor: tag, cites and the body with Verbatim's keys."""
