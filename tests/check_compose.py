#!/usr/bin/env python3
"""Checks docker-compose.yml (which no Docker engine here can start) against what the
README and config/ say: services, images, ports, mounts, converter settings.
Prints one line per failed check; exit status 1 if any failed."""
import os
import re
import sys

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def properties(path):
    props = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                props[k.strip()] = v.strip()
    return props


with open(os.path.join(ROOT, "docker-compose.yml")) as f:
    compose = yaml.safe_load(f)
with open(os.path.join(ROOT, "README.md")) as f:
    readme = f.read()
services = compose.get("services", {})

# Services and images.
for name in ("kafka", "schema-registry", "connect", "capd"):
    check(name in services, f"service '{name}' missing")
    check(f"`{name}`" in readme, f"README does not name service '{name}'")
check(services["kafka"]["image"].startswith("confluentinc/cp-kafka:"), "kafka image")
check(services["schema-registry"]["image"].startswith("confluentinc/cp-schema-registry:"), "registry image")
# Every service that loads the plugin is built from a Dockerfile on Confluent's Connect image
# that adds libpcap (the filter setting compiles with it), and grants JNA native access.
for name, svc in services.items():
    if not any(str(v).startswith("./connector/target/plugin:") for v in svc.get("volumes", [])):
        continue
    dockerfile = os.path.join(ROOT, svc.get("build", {}).get("dockerfile", ""))
    if check(os.path.isfile(dockerfile), f"{name} is built from a Dockerfile of the project"):
        with open(dockerfile) as f:
            text = f.read()
        check(re.search(r"^FROM confluentinc/cp-kafka-connect:", text, re.M) is not None,
              f"{name}: the Dockerfile builds on Confluent's Connect image")
        check(re.search(r"^RUN .*install .*\blibpcap\b", text, re.M) is not None, f"{name}: the image gets libpcap")
    check("--enable-native-access=ALL-UNNAMED" in str(svc.get("environment", {}).get("KAFKA_OPTS", "")),
          f"{name}: KAFKA_OPTS grants native access (--enable-native-access=ALL-UNNAMED)")
check(services["capd"].get("profiles") == ["capd"], "capd is optional (profile capd)")
check("--profile capd" in readme, "README shows how to start the capture daemon profile")

# KRaft, single node.
env = services["kafka"]["environment"]
check("controller" in env.get("KAFKA_PROCESS_ROLES", ""), "kafka runs KRaft (a controller role)")
for k in ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
          "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"):
    check(str(env.get(k)) == "1", f"{k} is 1 on a single broker")
check(re.fullmatch(r"[A-Za-z0-9_-]{22}", str(env.get("CLUSTER_ID", ""))) is not None,
      "CLUSTER_ID is a 22-character base64 UUID")

# Ports: loopback only, the same as the local stack and as the README says.
local_ports = {
    "kafka": int(re.search(r"PLAINTEXT://127\.0\.0\.1:(\d+)",
                           properties(os.path.join(ROOT, "config/local/broker.properties"))["listeners"]).group(1)),
    "schema-registry": 8081,  # scripts/stack.sh REGISTRY_PORT
    "connect": int(properties(os.path.join(ROOT, "config/local/worker.properties"))["listeners"].rsplit(":", 1)[1]),
}
with open(os.path.join(ROOT, "scripts/stack.sh")) as f:
    stack = f.read()
check(f"REGISTRY_PORT={local_ports['schema-registry']}" in stack, "stack.sh registry port")
for name, svc in services.items():
    for p in svc.get("ports", []):
        parts = str(p).split(":")
        host_ip = parts[0] if len(parts) == 3 else "0.0.0.0 (all interfaces)"
        host_port = parts[-2] if len(parts) >= 2 else parts[-1]
        check(host_ip == "127.0.0.1", f"{name} publishes {p} beyond loopback")
        check(int(host_port) == local_ports.get(name), f"{name} port {host_port} differs from the local stack")
        check(f"127.0.0.1:{host_port}" in readme, f"README does not list {name}'s port 127.0.0.1:{host_port}")

# Connect: worker file, plugin mount, rings passed in, converter settings.
connect = services["connect"]
mounts = {}
for v in connect.get("volumes", []):
    parts = v.split(":")
    mounts[parts[1]] = parts[0]
worker_target = connect["command"][-1]
check(worker_target in mounts, "the worker properties file is mounted")
worker_src = mounts.get(worker_target, "")
check(os.path.isfile(os.path.join(ROOT, worker_src)), f"{worker_src} exists")
worker = properties(os.path.join(ROOT, worker_src)) if os.path.isfile(os.path.join(ROOT, worker_src)) else {}
check(worker.get("value.converter") == "io.confluent.connect.avro.AvroConverter", "Confluent AvroConverter")
check("io.confluent.connect.avro.AvroConverter" in readme, "README names the compose converter")
reg = re.fullmatch(r"http://([^:/]+):(\d+)", worker.get("value.converter.schema.registry.url", ""))
check(reg is not None and reg.group(1) in services and
      any(str(p).endswith(":" + reg.group(2)) for p in services[reg.group(1)].get("ports", [])),
      "value.converter.schema.registry.url names the schema-registry service and its port")
advertised = env.get("KAFKA_ADVERTISED_LISTENERS", "")
check(worker.get("bootstrap.servers", "") in advertised, "worker bootstrap.servers is a kafka listener")
plugin_mount = [t for t, s in mounts.items() if s == "./connector/target/plugin"]
check(len(plugin_mount) == 1, "connector/target/plugin mounted")
check(plugin_mount and plugin_mount[0] in worker.get("plugin.path", "").split(","),
      "the mounted plugin dir is on plugin.path")
check(mounts.get("/dev/pktring") == "/dev/pktring", "/dev/pktring passed in")
check(mounts.get("/dev/shm/pktring") == "/dev/shm/pktring", "/dev/shm/pktring passed in")
check(not any(t == "/dev/shm" for t in mounts), "not the whole /dev/shm: only the rings' directory")
check(all(v.endswith(":ro") for v in connect.get("volumes", []) if ":/dev/shm/pktring" in v or ":/dev/pktring" in v),
      "rings are mounted read-only into Connect")
for k in ("group.id", "config.storage.topic", "offset.storage.topic", "status.storage.topic"):
    check(k in worker, f"worker sets {k}")

# The capture daemon writes where Connect reads.
capd = services["capd"]
check(capd.get("network_mode") == "host", "capd captures the host's interfaces")
check("/dev/shm/pktring:/dev/shm/pktring" in capd.get("volumes", []), "capd writes /dev/shm/pktring")
check(os.path.isfile(os.path.join(ROOT, capd["build"]["dockerfile"])), "capd Dockerfile exists")

for f in failures:
    print("compose check failed:", f)
print(f"compose: {len(failures)} checks failed" if failures else "compose: all checks passed")
sys.exit(1 if failures else 0)
