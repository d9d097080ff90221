"""The Search panel: results as you type, filters, the results model."""
