# Kafka Connect for pktring: Confluent's image plus libpcap, which the connector's filter
# setting compiles tcpdump expressions with (the stock image has none). The plugin itself
# is mounted (connector/target/plugin), so a rebuild of the plugin needs no image rebuild.
FROM confluentinc/cp-kafka-connect:8.0.0
USER root
# Confluent's images are Red Hat UBI minimal: microdnf, libpcap from the UBI BaseOS repository.
RUN microdnf install -y libpcap && microdnf clean all
USER appuser
