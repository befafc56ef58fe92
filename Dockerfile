# foimail: the FOI mailbox daemon. Config by FOIMAIL_* environment variables or a mounted file
# (FOIMAIL_CONFIG=/etc/foimail/foimail.toml); data in the /var/lib/foimail volume.
# Stage 1 builds the wheel (code, templates, migrations and the annex calendar inside); stage 2 installs it,
# so the image runs exactly what `pip install foimail-*.whl` gives an admin, not a checkout.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY foimail ./foimail
COPY migrations ./migrations
COPY templates ./templates
COPY config ./config
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FOIMAIL_DATABASE_URL=sqlite:////var/lib/foimail/foimail.db \
    FOIMAIL_STATS_EXPORT_DIR=/var/lib/foimail/stats

RUN useradd --system --home-dir /var/lib/foimail --shell /usr/sbin/nologin foimail \
    && install -d -o foimail -g foimail /var/lib/foimail

COPY --from=build /wheels /tmp/wheels
COPY docker/entrypoint.sh /usr/local/bin/foimail-entrypoint
RUN pip install --no-cache-dir /tmp/wheels/*.whl && rm -rf /tmp/wheels \
    && chmod 0755 /usr/local/bin/foimail-entrypoint

USER foimail
WORKDIR /var/lib/foimail
VOLUME ["/var/lib/foimail"]
EXPOSE 9187
HEALTHCHECK --interval=60s --timeout=20s --start-period=60s --retries=3 CMD ["foimail", "health"]
ENTRYPOINT ["foimail-entrypoint"]
CMD ["run"]
