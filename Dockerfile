# badger's container image: build with `docker build -t badger .`, run with
# `docker run -p 3000:3000 -e SLACK_BOT_TOKEN=... -e SLACK_SIGNING_SECRET=... badger`.
# See docs/operator-guide.md for the settings.

# --- Build: the release binary, exactly as .ci/run builds it. ---
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
# The database migrations are compiled into the binary (sqlx::migrate!), so they must be
# here at build time and need not be in the runtime image.
COPY migrations ./migrations
RUN cargo build --release --locked

# --- Run: a small Debian with the binary, as a user without privileges. ---
FROM debian:bookworm-slim
# CA certificates: badger calls Slack (and GovSlack) over https.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 badger \
    && useradd --system --uid 10001 --gid badger --home-dir /var/lib/badger --create-home badger
COPY --from=build /src/target/release/badger /usr/local/bin/badger
# Migrations are inside the binary: `badger serve` applies pending ones at start
# (`badger migrate` applies them and exits).
USER badger:badger
WORKDIR /var/lib/badger
# Listen on every interface inside the container only; outside it the default stays
# loopback. SQLite lives in the working directory unless DATABASE_URL says otherwise
# (mount a volume at /var/lib/badger, or use PostgreSQL for several replicas).
ENV BADGER_BIND=0.0.0.0:3000
EXPOSE 3000
# `badger healthcheck` asks /healthz over loopback (the slim image has no curl).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/badger", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/badger"]
CMD ["serve"]
