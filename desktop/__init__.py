"""The PySide6 window, grouped by feature (library, search, assistant, documents, outline
(export only), editor, models, settings), each folder holding its widgets and Qt models. The
only package that imports Qt."""
