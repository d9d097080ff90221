"""The frozen app's entry script: PyInstaller runs this file as __main__.

It only calls cli.entry, so that module keeps its own name (and its
multiprocessing.freeze_support() call) inside the bundle.
"""

from cli.entry import main

if __name__ == "__main__":
    raise SystemExit(main())
