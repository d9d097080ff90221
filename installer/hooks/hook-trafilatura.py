"""trafilatura reads settings.cfg and its data/ folder (boilerplate lists) as files."""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("trafilatura")
