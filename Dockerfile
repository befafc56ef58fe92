# foimail: the FOI mailbox daemon. Config by FOIMAIL_* environment variables or a mounted file
# (FOIMAIL_CONFIG=/etc/foimail/foimail.toml); data in the /var/lib/foimail volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FOIMAIL_DATABASE_URL=sqlite:////var/lib/foimail/foimail.db \
    FOIMAIL_STATS_EXPORT_DIR=/var/lib/foimail/stats

RUN useradd --system --home-dir /var/lib/foimail --shell /usr/sbin/nologin foimail \
    && install -d -o foimail -g foimail /var/lib/foimail

WORKDIR /opt/foimail
COPY pyproject.toml README.md alembic.ini ./
COPY foimail ./foimail
COPY migrations ./migrations
COPY templates ./templates
COPY config ./config
COPY docker/entrypoint.sh /usr/local/bin/foimail-entrypoint
RUN pip install --no-cache-dir -e . && chmod 0755 /usr/local/bin/foimail-entrypoint

USER foimail
VOLUME ["/var/lib/foimail"]
EXPOSE 9187
HEALTHCHECK --interval=60s --timeout=20s --start-period=60s --retries=3 CMD ["foimail", "health"]
ENTRYPOINT ["foimail-entrypoint"]
CMD ["run"]
