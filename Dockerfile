# schoolwacht in a container: settings in /config (read-only), data in /data; secrets from the environment or
# *_FILE paths. Build: docker build -t schoolwacht .   With the ONNX model tier: --build-arg EXTRAS=matrix,discord,postgres,onnx
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# Time zone data: [bot] timezone = "Europe/Amsterdam" needs it for digests and school days. Unpinned on purpose:
# it must carry the newest rules.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends tzdata \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first, from pyproject.toml alone, so that a change to the code does not reinstall them.
ARG EXTRAS=matrix,discord,postgres,web
COPY pyproject.toml README.md ./
# The versions are pinned in pyproject.toml. The full [ml] extra (detoxify, torch) takes torch's CPU build first.
# hadolint ignore=DL3013
RUN mkdir -p bot adapters moderation migrations \
 && touch bot/__init__.py adapters/__init__.py moderation/__init__.py migrations/__init__.py \
 && case ",${EXTRAS}," in *,ml,*) pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu ;; esac \
 && pip install ".[${EXTRAS}]" \
 && pip uninstall -y schoolwacht
COPY bot ./bot
COPY adapters ./adapters
COPY moderation ./moderation
COPY migrations ./migrations
RUN pip install --no-deps .

# A numeric user, so that Kubernetes' runAsNonRoot can verify it.
RUN useradd --system --uid 10001 --gid 0 --home-dir /data schoolwacht \
 && mkdir -p /data /config && chown 10001:0 /data && chmod 0770 /data
USER 10001
VOLUME ["/config", "/data"]
# Relative data paths in the settings (the SQLite file, the Matrix key store, models) land in /data.
ENV SCHOOLWACHT_CONFIG=/config/schoolwacht.toml SCHOOLWACHT_DATA_DIR=/data
WORKDIR /data
HEALTHCHECK --interval=60s --timeout=20s --start-period=30s --retries=3 CMD ["schoolwacht", "doctor", "--health"]
ENTRYPOINT ["schoolwacht"]
CMD ["run"]
