#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Reads a pktring capture topic from Python and prints one JSON line per packet:
  {"topic","partition","offset","epoch","seq","ts_ns","caplen","origlen","linktype","lost","data"}
(64-bit numbers as decimal strings, data as hex), the same lines as ../js/consume.js.

  consume.py --topic pktring-demo [--bootstrap 127.0.0.1:9092]
             [--registry http://127.0.0.1:8081/apis/ccompat/v7]

Reads every partition from its start to the end offsets seen at start, then exits. Uses
confluent-kafka and Apache Avro (Debian: python3-confluent-kafka, python3-avro): the Confluent
wire format (magic 0, a 4-byte schema id, the Avro body) is read here, the writer schema
fetched once per id from the registry. Python's ints hold the longs above 2^53 as they are."""
import argparse
import io
import json
import struct
import sys
import urllib.request

import avro.io
import avro.schema
from confluent_kafka import Consumer, TopicPartition


class Registry:
    def __init__(self, url):
        self.url = url.rstrip("/")
        self.readers = {}

    def decode(self, value):
        if value is None or len(value) < 5 or value[0] != 0:
            raise ValueError("not Confluent wire format")
        schema_id = struct.unpack(">I", value[1:5])[0]
        reader = self.readers.get(schema_id)
        if reader is None:
            with urllib.request.urlopen(f"{self.url}/schemas/ids/{schema_id}", timeout=10) as r:
                reader = avro.io.DatumReader(avro.schema.parse(json.load(r)["schema"]))
            self.readers[schema_id] = reader
        return reader.read(avro.io.BinaryDecoder(io.BytesIO(value[5:])))


def header(headers, key):
    """A header as Connect's SimpleHeaderConverter writes it: the number's decimal text."""
    for k, v in headers or []:
        if k == key:
            return v.decode()
    return None


def packets(value, headers):
    if "count" in value and isinstance(value.get("ts_ns"), list):
        data = value["data"]
        for i in range(value["count"]):
            at = value["offset"][i]
            yield {"epoch": str(value["epoch"]), "seq": str(value["seq"][i]), "ts_ns": str(value["ts_ns"][i]),
                   "caplen": value["caplen"][i], "origlen": value["origlen"][i], "linktype": value["linktype"],
                   "lost": str(value["lost"]) if i == 0 else "0", "data": data[at:at + value["caplen"][i]].hex()}
    else:
        yield {"epoch": header(headers, "pktring.epoch"), "seq": str(value["seq"]), "ts_ns": str(value["ts_ns"]),
               "caplen": value["caplen"], "origlen": value["origlen"], "linktype": value["linktype"],
               "lost": header(headers, "pktring.lost"), "data": value["data"].hex()}


def main():
    p = argparse.ArgumentParser(description="print a pktring capture topic as JSON lines")
    p.add_argument("--topic", required=True)
    p.add_argument("--bootstrap", default="127.0.0.1:9092")
    p.add_argument("--registry", default="http://127.0.0.1:8081/apis/ccompat/v7")
    a = p.parse_args()
    registry = Registry(a.registry)
    consumer = Consumer({"bootstrap.servers": a.bootstrap, "group.id": "pktring-consumer-py",
                         "enable.auto.commit": False, "isolation.level": "read_committed"})
    meta = consumer.list_topics(a.topic, timeout=10).topics[a.topic]
    if meta.error is not None:
        sys.exit(f"pktring-consumer-py: topic {a.topic}: {meta.error}")
    remaining = {}
    for partition in meta.partitions:
        low, high = consumer.get_watermark_offsets(TopicPartition(a.topic, partition), timeout=10)
        if high > low:
            remaining[partition] = high
    consumer.assign([TopicPartition(a.topic, partition, 0) for partition in remaining])
    written = 0
    while remaining:
        m = consumer.poll(10)
        if m is None:
            sys.exit(f"pktring-consumer-py: nothing for 10 s, {len(remaining)} partitions unfinished")
        if m.error():
            sys.exit(f"pktring-consumer-py: {m.error()}")
        for pkt in packets(registry.decode(m.value()), m.headers()):
            print(json.dumps({"topic": m.topic(), "partition": m.partition(), "offset": m.offset(), **pkt}))
            written += 1
        if m.partition() in remaining and m.offset() + 1 >= remaining[m.partition()]:
            del remaining[m.partition()]
    consumer.close()
    print(f"pktring-consumer-py: {written} packets from topic {a.topic}", file=sys.stderr)


main()
