# Recipes for everyday work; `just --list` shows them.

# Run the server (debug mode: interactive docs at /docs)
run:
    SLIMRMM_DEBUG=true cargo run -p slimrmm-server

# Run every test (needs PostgreSQL on 127.0.0.1:5432, or TEST_DATABASE_URL)
test:
    cargo test --workspace

# Format and lint as CI does
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Apply database migrations
migrate:
    cargo run -p slimrmm-server -- migrate

# Benchmarks (figures go to docs/PERFORMANCE.md)
bench:
    cargo bench -p slimrmm-server

# Write the OpenAPI document to docs/openapi.json (the snapshot the tests compare with)
openapi:
    SLIMRMM_UPDATE_OPENAPI=1 cargo test -p slimrmm-server --test api openapi_snapshot

# The reference's Python client against a fresh server
examples-check:
    scripts/examples-test.sh

# Swagger UI and ReDoc rendered in headless Chromium, offline
docs-check:
    scripts/docs-browser-test.sh

# Everything CI runs
ci:
    .ci/run

# Check the compose file
compose-check:
    docker-compose config --quiet
