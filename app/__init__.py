"""Qt-free services the window and the command line share: the context, plain jobs, and the
import, search, assistant and model runs."""
