"""Operations: Prometheus metrics, structured logs and optional OpenTelemetry tracing
(``docs/operations/observability.md``)."""
