"""`[smtp]`: the mail server that sends one-time linking codes to school e-mail addresses. The password comes from
SCHOOLWACHT_SMTP_PASSWORD (or a file named by SCHOOLWACHT_SMTP_PASSWORD_FILE), never from the settings file."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.secrets import read_secret

PASSWORD_VARIABLE = "SCHOOLWACHT_SMTP_PASSWORD"


class SmtpSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    sender: str = Field(alias="from")  # the From address, e.g. "Schoolwacht <noreply@school.nl>"
    starttls: bool = True  # port 587; false only for a relay on the same machine or network (port 25)
    user: str | None = None  # log in as this user (with the password from the environment)
    timeout_s: float = Field(default=20, gt=0)

    @field_validator("sender")
    @classmethod
    def _an_address(cls, value: str) -> str:
        if "@" not in value:
            raise ValueError(f"from must be an e-mail address, not {value!r}")
        return value

    def password(self, environ: Mapping[str, str] = os.environ) -> str | None:
        """The password for `user`; an AdapterConfigError naming the variable when `user` is set without one."""
        from adapters.base import AdapterConfigError

        password = read_secret(PASSWORD_VARIABLE, environ)
        if self.user and password is None:
            raise AdapterConfigError(f"smtp.user is set: give its password in {PASSWORD_VARIABLE} (or _FILE)")
        return password
