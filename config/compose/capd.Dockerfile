# The capture daemon for hosts without the kernel module (docker compose --profile capd).
# Build the tools first: make -C kmod
FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpcap0.8 \
    && rm -rf /var/lib/apt/lists/*
COPY kmod/bin/pktring-capd kmod/bin/pktring-stat kmod/bin/pktring-dump /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/pktring-capd"]
