"""The `[web]` section: the review desk's address and sign-in times (the desk is off without this section)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class WebSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    address: str = "127.0.0.1"  # behind the school's reverse proxy: keep it on loopback
    port: int = Field(default=8080, ge=1, le=65535)
    # The address reviewers open, as the proxy serves it (https://desk.school.nl); links in chat start with it.
    public_url: str
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    link_minutes: int = Field(default=10, ge=1, le=60)
    # Client addresses of the reverse proxy whose X-Forwarded-For/-Proto headers are believed.
    trusted_proxies: list[str] = ["127.0.0.1"]
    login_attempts_per_minute: int = Field(default=10, ge=1, le=1000)

    @field_validator("public_url")
    @classmethod
    def _an_address(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"{value!r} is not a web address; write e.g. https://desk.school.nl")
        return value.rstrip("/")
