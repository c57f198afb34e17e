"""qa_service: quality monitoring for an airline's contact center.

Importing the package does no I/O: settings are read, databases opened and models
loaded only when an entry point (CLI, web app factory, worker) asks for them.
"""

__version__ = "0.1.0"
