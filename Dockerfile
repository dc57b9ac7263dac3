# schoolwacht in a container: config and data live in volumes; secrets come from the environment or *_FILE paths.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY moderation ./moderation
COPY migrations ./migrations
# The ML tier is optional (about 1 GB): build with --build-arg EXTRAS=matrix,discord,postgres,ml to include it.
ARG EXTRAS=matrix,discord,postgres
RUN if echo "$EXTRAS" | grep -q ml; then pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu; fi \
 && pip install ".[${EXTRAS}]"

RUN useradd --system --uid 10001 --home-dir /data schoolwacht && mkdir -p /data /config && chown schoolwacht /data
USER schoolwacht
VOLUME ["/config", "/data"]
ENV SCHOOLWACHT_CONFIG=/config/schoolwacht.toml \
    SCHOOLWACHT_DATABASE_URL=sqlite:////data/schoolwacht.sqlite3
WORKDIR /data
CMD ["schoolwacht", "run"]
