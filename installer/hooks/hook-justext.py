"""jusText (trafilatura's fallback extractor) reads its stoplists/*.txt as files."""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("justext")
