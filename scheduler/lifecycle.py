"""Whether this process's scheduler is shutting down, so long jobs can stop between steps."""

import threading

# Set once when the scheduler starts shutting down; long jobs check it between requests.
stopping = threading.Event()
