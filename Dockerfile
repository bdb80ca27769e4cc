# One image for every finops service (scanner, stream workers, jobs, web); docker-compose.yml
# picks the subcommand. The broker is not in here: it runs from the apache/kafka image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FINOPS_DATA_DIR=/data \
    FINOPS_CACHE_DIR=/cache

WORKDIR /src
COPY . .
# A regular (not editable) install: the image must not depend on /src staying in place.
RUN pip install .[iceberg] \
    && useradd --system --uid 10001 --home-dir /data finops \
    && mkdir -p /data /cache \
    && chown finops /data /cache

WORKDIR /data
USER finops
ENTRYPOINT ["finops"]
CMD ["--help"]
