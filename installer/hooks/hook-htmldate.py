"""htmldate (dates of web pages for trafilatura) ships data files in some versions."""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("htmldate")
