# The gateway as a container image: docs/operations/deploy.md. Build from the repository root:
#   docker build -t crm-graph-gateway:local .
FROM python:3.12-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
# Wheels of the package and of every dependency, so the final stage installs without build tools.
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CRM_GATEWAY_ENV=production \
    CRM_GATEWAY_PORT=8000
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels \
    && useradd --system --uid 10001 --create-home --home-dir /app gateway \
    && install -d -o gateway -g gateway /app/var /app/var/documents
# (var/documents exists, owned by the user, so a volume mounted there starts out writable by it.)
# Non-root; /app (its home) is the working directory, so the gateway's var/ lands there.
USER gateway
WORKDIR /app
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["crm-gateway", "serve", "--host", "0.0.0.0", "--port", "8000"]
