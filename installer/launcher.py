"""The frozen app's entry script: PyInstaller runs this file as __main__.

It only calls desktop.main, so that module keeps its own name (and its
multiprocessing.freeze_support() call) inside the bundle.
"""

from desktop.main import main

if __name__ == "__main__":
    raise SystemExit(main())
