"""The PySide6 window, grouped by feature (library, search, assistant, outline, editor, models,
settings), each folder holding its widgets and Qt models. The only package that imports Qt."""
