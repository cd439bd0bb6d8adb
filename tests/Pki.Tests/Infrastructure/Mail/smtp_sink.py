"""An SMTP server for tests: aiosmtpd (Debian's python3-aiosmtpd) writing each message it accepts to a folder.

Usage: /usr/bin/python3 smtp_sink.py PORT FOLDER. Each message becomes FOLDER/<nanoseconds>-<n>.eml (names sort in
arrival order, also across restarts of the server on one folder), written under a temporary name and renamed, so a
reader never sees half a message; the envelope recipients go first as X-Envelope-To headers.
Prints "ready" once it listens, and runs until it is terminated.
"""
import itertools
import os
import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller


class FolderHandler:
    def __init__(self, folder):
        self.folder = folder
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = next(self.counter)
        headers = "".join(f"X-Envelope-To: {r}\r\n" for r in envelope.rcpt_tos).encode()
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode()
        name = f"{time.time_ns():020d}-{n:06d}"
        temp = os.path.join(self.folder, name + ".tmp")
        with open(temp, "wb") as f:
            f.write(headers + content)
        os.replace(temp, os.path.join(self.folder, name + ".eml"))
        return "250 Message accepted for delivery"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    controller = Controller(FolderHandler(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
