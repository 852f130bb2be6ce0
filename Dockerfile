# fazhibot: the WeChat bot of "江津发布".
#
# Stage 1 builds the binary with cgo (gojieba is C++). The binary links
# glibc and libstdc++, so the runtime image is Debian, not scratch.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/fazhibot ./cmd/fazhibot

# Stage 2: the runtime image. The binary carries the jieba dictionaries and
# writes them once to the cache directory on the data volume.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata libstdc++6 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/fazhibot --create-home fazhibot
ENV TZ=Asia/Shanghai
COPY --from=build /out/fazhibot /usr/local/bin/fazhibot
COPY configs/docker.yaml /etc/fazhibot/config.yaml
USER fazhibot
WORKDIR /var/lib/fazhibot
VOLUME /var/lib/fazhibot
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
  CMD ["fazhibot", "-c", "/etc/fazhibot/config.yaml", "health"]
ENTRYPOINT ["fazhibot", "-c", "/etc/fazhibot/config.yaml"]
CMD ["serve"]
