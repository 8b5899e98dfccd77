# Build: docker compose build   (or: docker build -t slimrmm-server .)
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p slimrmm-server --locked

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/slimrmm --create-home slimrmm
COPY --from=build /src/target/release/slimrmm-server /usr/local/bin/slimrmm-server
USER slimrmm
ENV SLIMRMM_BIND=0.0.0.0:8000 SLIMRMM_LOG_FORMAT=json
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8000/readyz > /dev/null \
        || curl -fsSk https://127.0.0.1:8000/readyz > /dev/null || exit 1
ENTRYPOINT ["slimrmm-server"]
CMD ["serve"]
