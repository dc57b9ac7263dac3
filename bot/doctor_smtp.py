"""`schoolwacht doctor` for `[smtp]`: the mail server that sends linking codes takes a connection (STARTTLS and the
login as configured), and the roster has school e-mail addresses to send them to. Nothing is sent."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator, Mapping

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from adapters.base import AdapterConfigError
from bot.doctor import Finding
from bot.settings import Settings
from moderation.storage.links import PersonEmailRow
from moderation.storage.people import PersonRow


def smtp_findings(settings: Settings, engine: Engine, environ: Mapping[str, str]) -> Iterator[Finding]:
    smtp = settings.smtp
    if smtp is None:
        yield Finding("smtp", True, "no [smtp]: people cannot link their own accounts (!koppel); the roster must")
        return
    where = f"{smtp.host}:{smtp.port}"
    try:
        password = smtp.password(environ)
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s) as server:
            if smtp.starttls:
                server.starttls(context=ssl.create_default_context())
            if smtp.user:
                server.login(smtp.user, password or "")
            server.noop()
    except AdapterConfigError as exc:
        yield Finding("smtp", False, str(exc), "set SCHOOLWACHT_SMTP_PASSWORD (or _FILE)")
        return
    except smtplib.SMTPAuthenticationError:
        yield Finding("smtp", False, f"{where} refused the login of {smtp.user}", "a valid SCHOOLWACHT_SMTP_PASSWORD")
        return
    except (OSError, smtplib.SMTPException) as exc:
        yield Finding("smtp", False, f"cannot use {where}: {exc}", "check [smtp] host, port and starttls")
        return
    how = ", ".join(
        part for part in ("STARTTLS" if smtp.starttls else "", f"as {smtp.user}" if smtp.user else "") if part
    )
    yield Finding("smtp", True, f"{where} takes connections" + (f" ({how})" if how else ""))
    with Session(engine) as session:
        people = session.scalar(select(func.count()).select_from(PersonRow).where(PersonRow.active.is_(True))) or 0
        addresses = session.scalar(select(func.count()).select_from(PersonEmailRow)) or 0
    if people and not addresses:
        yield Finding(
            "smtp",
            False,
            "the roster has no e-mail addresses, so no linking code can be sent",
            "import the exports with their e-mail column (E-mail, Emailadres): schoolwacht roster import …",
        )
    elif people:
        yield Finding("smtp", True, f"{addresses} of {people} people have a school e-mail address for linking codes")
