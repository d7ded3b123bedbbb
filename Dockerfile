# Rocket in a container: built with the Swift 6.3 toolchain image, run on
# Debian slim with libpq and libmicrohttpd (the Swift runtime is linked in).
FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends pkg-config libpq-dev libmicrohttpd-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources Sources
COPY Tests Tests
RUN swift build -c release --product rocket --static-swift-stdlib \
 && bin="$(swift build -c release --show-bin-path)" \
 && mkdir -p /out \
 && cp "$bin/rocket" /out/ \
 && cp -R "$bin/Rocket_Rocket.resources" /out/

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 libmicrohttpd12 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /opt/rocket rocket
COPY --from=build /out/ /opt/rocket/
COPY docker/entrypoint.sh /opt/rocket/entrypoint.sh
USER rocket
EXPOSE 8080
ENV ROCKET_LISTEN=0.0.0.0:8080
HEALTHCHECK --interval=5s --timeout=3s CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
ENTRYPOINT ["/opt/rocket/entrypoint.sh"]
