"""Sending a plain-text mail through the school's SMTP server (standard library), off the event loop."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        starttls: bool = True,
        user: str | None = None,
        password: str | None = None,
        timeout_s: float = 20,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._starttls, self._user, self._password = starttls, user, password
        self._timeout = timeout_s
        self._tls = tls

    async def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self._sender, to, subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self._sender.rpartition("@")[2].strip("> ") or None)
        message.set_content(body)
        await asyncio.to_thread(self._deliver, message)

    def _deliver(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as server:
            if self._starttls:
                server.starttls(context=self._tls or ssl.create_default_context())
            if self._user:
                server.login(self._user, self._password or "")
            server.send_message(message)
