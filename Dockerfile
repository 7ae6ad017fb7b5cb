# syntax=docker/dockerfile:1
# The Territoires d'industrie map, its tiles and its API in one small image.
#
#   docker build -t territoires .
#   docker build --build-arg VERSION="$(git describe --tags --always --dirty)" -t territoires .
#   docker run -p 8080:8080 territoires          # then open http://localhost:8080/
#
# The tile archive is built here, from the embedded data: nothing is built
# or downloaded when the container starts. Every serve flag is also an
# environment variable (docker run -e TERRITOIRES_PUBLIC_URL=https://carte.example.org …);
# set TERRITOIRES_TILES to an http(s):// or s3:// archive to serve another one.
# The build steps are in container/build.sh; `make container-check` runs this
# file's RUN lines without Docker and tests the result.

# 1. Front-end assets (MapLibre GL JS, the DSFR), as `make assets`.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY container/build.sh container/
COPY static/ static/
RUN container/build.sh assets

# 2. The binary (static, stripped) and the tile archive. The golang tag is
# go.mod's toolchain line, the Go release `make` builds with (container/check.sh
# fails when they differ).
FROM golang:1.26.11-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=assets /src/static/vendor/ static/vendor/
ARG VERSION=dev
RUN container/build.sh binary
RUN container/build.sh archive

# 3. Runtime: no shell, non-root (uid 65532).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/out/territoires /territoires
COPY --from=build /src/out/territoires.pmtiles /territoires.pmtiles
ENV TERRITOIRES_ADDR=0.0.0.0:8080
ENV TERRITOIRES_TILES=/territoires.pmtiles
USER nonroot:nonroot
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/territoires", "healthcheck"]
ENTRYPOINT ["/territoires"]
CMD ["serve"]
