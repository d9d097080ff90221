"""The PySide6 app and the command line. The only package that may import Qt."""
