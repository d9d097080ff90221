"""tld (used by courlan) reads the public suffix list from tld/res/ as a file."""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("tld", excludes=["tests/**"])
