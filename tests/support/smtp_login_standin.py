"""A local SMTP server that speaks enough of the protocol for a connection test: greeting, EHLO, AUTH PLAIN and
LOGIN against one user, NOOP, QUIT (no STARTTLS: test with security "none"). Every command is recorded."""

from __future__ import annotations

import base64
import socketserver
import threading


class SmtpStandin:
    def __init__(self, *, user: str = "mailer", password: str = "smtp-standin-pw") -> None:
        self.user, self.password = user, password
        self.commands: list[str] = []
        self._server: socketserver.ThreadingTCPServer | None = None

    def __enter__(self) -> SmtpStandin:
        standin = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.send("220 standin ESMTP ready")
                while line := self.rfile.readline():
                    command = line.decode().strip()
                    standin.commands.append(command.split(" ", 1)[0].upper())
                    verb = command.upper()
                    if verb.startswith(("EHLO", "HELO")):
                        self.send("250-standin greets you", "250 AUTH PLAIN LOGIN")
                    elif verb.startswith("AUTH PLAIN"):
                        _, user, password = base64.b64decode(command.split()[-1]).decode().split("\0")
                        self.send("235 2.7.0 ok" if (user, password) == (standin.user, standin.password)
                                  else "535 5.7.8 Authentication credentials invalid")
                    elif verb == "NOOP":
                        self.send("250 OK")
                    elif verb == "QUIT":
                        self.send("221 bye")
                        return
                    else:
                        self.send("502 5.5.2 not implemented")

            def send(self, *lines: str) -> None:
                self.wfile.write("".join(f"{line}\r\n" for line in lines).encode())

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]
