"""A real technician client in its own process, for kill -9 tests.

Usage: ``technician_process.py PORT CODE``. Pairs, asks for view and control, holds Shift and mouse button 1
down, prints ``ready`` once the first frame is drawn, then waits until stdin closes (or it is killed).
"""

from __future__ import annotations

import socket
import sys
import threading

from app.remote import protocol as p
from app.remote.client import TechnicianCallbacks, TechnicianClient


def main() -> None:
    port, code = int(sys.argv[1]), sys.argv[2]
    drawn = threading.Event()
    client = TechnicianClient(
        socket.create_connection(("127.0.0.1", port), timeout=10),
        code=code,
        capabilities=frozenset({p.Capability.VIEW, p.Capability.CONTROL}),
        callbacks=TechnicianCallbacks(on_frame=lambda framebuffer, rects: drawn.set()),
    )
    client.start()
    if not drawn.wait(30):
        sys.exit("no frame")
    client.send_key(True, keysym=0xFFE1)
    client.send_pointer(7, 8, 1)
    print("ready", flush=True)
    sys.stdin.read()
    client.stop()
    client.wait_closed(5)


if __name__ == "__main__":
    main()
