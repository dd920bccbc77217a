#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Real traffic for the corpus, run inside the namespaces generate.sh makes.

    traffic.py sink    in namespace B: TCP echo on port 5001, UDP echo on
                       port 5002 (IPv4 and IPv6); prints "ready", runs until
                       SIGTERM
    traffic.py send    in namespace A: every kind of traffic the corpus
                       holds, over the links, loopback and the tun device
    traffic.py tagged DEV_Q DEV_QINQ
                       only the tagged frames (also used by the VLAN tests)

Tagged frames are written whole to a packet socket on a2 (802.1Q) and a3
(QinQ): that needs no 8021q module, and the receiving veth moves the outer
tag into the skb's metadata (skb_vlan_untag) as a NIC with VLAN offload
does, which is the case a capture must undo.

Payloads are fixed patterns, so two runs differ only in times, ports and
the packets the kernel adds (ARP, neighbour discovery).
"""
import fcntl
import os
import select
import signal
import socket
import struct
import sys
import time

TCP_PORT, UDP_PORT, CLOSED_PORT = 5001, 5002, 5999
LINK0 = ("10.0.0.2", "fd00::2")		# plain Ethernet, MTU 1500
LINK1 = "10.1.0.2"			# jumbo frames, MTU 9000
MAC_B2, MAC_B3 = "02:00:00:00:02:02", "02:00:00:00:03:02"
TUN_LOCAL, TUN_PEER = "10.99.0.1", "10.99.0.2"
TUN6_LOCAL, TUN6_PEER = "fd99::1", "fd99::2"


def payload(n, seed=0):
    return bytes((seed + i) & 0xFF for i in range(n))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def sink():
    tcp = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    udp = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    for s, port in ((tcp, TCP_PORT), (udp, UDP_PORT)):
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::", port))
    tcp.listen(16)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    conns = []
    while True:
        ready, _, _ = select.select([tcp, udp] + conns, [], [])
        for s in ready:
            if s is tcp:
                conns.append(tcp.accept()[0])
            elif s is udp:
                data, peer = udp.recvfrom(65535)
                udp.sendto(data, peer)
            else:
                data = s.recv(65536)
                if data:
                    s.sendall(data)
                else:
                    conns.remove(s)
                    s.close()


def tcp_exchange(addr, sizes):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect((addr, TCP_PORT))
        for i, n in enumerate(sizes):
            s.sendall(payload(n, i))
            got = 0
            while got < n:
                chunk = s.recv(65536)
                if not chunk:
                    raise RuntimeError("tcp echo from %s ended early" % addr)
                got += len(chunk)


def udp_exchange(addr, sizes, port=UDP_PORT, answer=True):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        if family == socket.AF_INET:
            # let the kernel fragment datagrams bigger than the MTU
            s.setsockopt(socket.IPPROTO_IP, 10, 0)	# IP_MTU_DISCOVER, DONT
        for i, n in enumerate(sizes):
            s.sendto(payload(n, i), (addr, port))
            if answer:
                s.recvfrom(65535)
            else:
                time.sleep(0.01)


def ping(addr, count=3, size=56):
    if ":" in addr:
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                          socket.IPPROTO_ICMPV6)
        kind = 128	# the kernel fills the ICMPv6 checksum
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        kind = 8
    s.settimeout(2)
    with s:
        for seq in range(1, count + 1):
            hdr = struct.pack("!BBHHH", kind, 0, 0, 0x5052, seq)
            body = payload(size, seq)
            if kind == 8:
                hdr = struct.pack("!BBHHH", kind, 0, checksum(hdr + body),
                                  0x5052, seq)
            s.sendto(hdr + body, (addr, 0))
            s.recvfrom(65535)


def loopback():
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        with socket.create_connection(srv.getsockname()) as c:
            conn = srv.accept()[0]
            c.sendall(payload(3000))
            got = 0
            while got < 3000:
                got += len(conn.recv(65536))
            conn.close()
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as r:
        r.bind(("::1", 0))
        udp = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        for n in (1, 100, 1400):
            udp.sendto(payload(n), r.getsockname()[:2])
            r.recv(65535)
        udp.close()
    ping("127.0.0.1", count=2)


def ipv4_packet(src, dst, proto, body, ident):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), ident, 0,
                      64, proto, 0, socket.inet_aton(src),
                      socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + body


def ipv6_echo(src, dst, seq):
    s, d = (socket.inet_pton(socket.AF_INET6, a) for a in (src, dst))
    icmp = struct.pack("!BBHHH", 128, 0, 0, 0x5052, seq) + payload(40, seq)
    pseudo = s + d + struct.pack("!I3xB", len(icmp), 58)
    icmp = icmp[:2] + struct.pack("!H", checksum(pseudo + icmp)) + icmp[4:]
    return struct.pack("!IHBB", 6 << 28, len(icmp), 58, 64) + s + d + icmp


def udp4(src, dst, n, seq):
    udp = struct.pack("!HHHH", 40000, UDP_PORT, 8 + n, 0) + payload(n, seq)
    return ipv4_packet(src, dst, 17, udp, seq)


def echo4(src, dst, seq):
    echo = struct.pack("!BBHHH", 8, 0, 0, 0x5052, seq) + payload(56, seq)
    echo = echo[:2] + struct.pack("!H", checksum(echo)) + echo[4:]
    return ipv4_packet(src, dst, 1, echo, seq)


def arp_request(mac, src, dst):
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac,
                       socket.inet_aton(src), b"\0" * 6, socket.inet_aton(dst))


def tags(*tpid_tci):
    return b"".join(struct.pack("!HH", tpid, tci) for tpid, tci in tpid_tci)


def tagged(dev_q, dev_qinq):
    """802.1Q (VLAN 100, with priority and DEI bits, a priority tag of
    VLAN 0 and an all-zero TCI) on dev_q; 802.1ad 200 around 802.1Q 300,
    and the older 0x9100 outer TPID, on dev_qinq."""
    def mac(m):
        return bytes.fromhex(m.replace(":", ""))

    def own(dev):
        with open("/sys/class/net/%s/address" % dev) as f:
            return mac(f.read().strip())

    a_q, a_qinq = own(dev_q), own(dev_qinq)
    b2, b3 = mac(MAC_B2), mac(MAC_B3)
    bcast = b"\xff" * 6
    src, dst = "10.100.0.1", "10.100.0.2"
    q = [
        (bcast, tags((0x8100, 100)), 0x0806, arp_request(a_q, src, dst)),
        (b2, tags((0x8100, 100)), 0x0800, echo4(src, dst, 1)),
        (b2, tags((0x8100, 100)), 0x0800, echo4(src, dst, 2)),
        (b2, tags((0x8100, 5 << 13 | 1 << 12 | 100)), 0x0800,
         udp4(src, dst, 100, 3)),
        (b2, tags((0x8100, 100)), 0x0800, udp4(src, dst, 1472, 4)),
        (b2, tags((0x8100, 3 << 13)), 0x0800, udp4(src, dst, 10, 5)),
        (b2, tags((0x8100, 0)), 0x0800, udp4(src, dst, 11, 6)),
    ]
    src, dst = "10.200.0.1", "10.200.0.2"
    qinq = [
        (bcast, tags((0x88A8, 200), (0x8100, 300)), 0x0806,
         arp_request(a_qinq, src, dst)),
        (b3, tags((0x88A8, 200), (0x8100, 300)), 0x0800, echo4(src, dst, 1)),
        (b3, tags((0x88A8, 200), (0x8100, 300)), 0x0800, echo4(src, dst, 2)),
        (b3, tags((0x88A8, 4 << 13 | 200), (0x8100, 2 << 13 | 300)), 0x0800,
         udp4(src, dst, 1000, 3)),
        (b3, tags((0x9100, 200), (0x8100, 300)), 0x0800, udp4(src, dst, 20, 4)),
    ]
    for dev, smac, frames in ((dev_q, a_q, q), (dev_qinq, a_qinq, qinq)):
        with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
            s.bind((dev, 0))
            for dmac, tag, ethertype, body in frames:
                s.send(dmac + smac + tag + struct.pack("!H", ethertype) + body)
                time.sleep(0.01)


def tun(name):
    """Packets written into the tun device arrive as incoming IP packets;
    the kernel's answers leave through it: LINKTYPE_RAW both ways."""
    fd = os.open("/dev/net/tun", os.O_RDWR)
    IFF_TUN, IFF_NO_PI, TUNSETIFF = 0x0001, 0x1000, 0x400454CA
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(),
                                           IFF_TUN | IFF_NO_PI))
    packets = []
    for seq in range(1, 4):
        packets.append(echo4(TUN_PEER, TUN_LOCAL, seq))
    udp = struct.pack("!HHHH", 40000, CLOSED_PORT, 8 + 32, 0) + payload(32)
    packets.append(ipv4_packet(TUN_PEER, TUN_LOCAL, 17, udp, 9))
    packets += [ipv6_echo(TUN6_PEER, TUN6_LOCAL, seq) for seq in (1, 2)]
    for p in packets:
        os.write(fd, p)
        # each packet provokes one answer (echo reply, port unreachable);
        # wait for it so the capture holds both directions in order
        select.select([fd], [], [], 1)
        while select.select([fd], [], [], 0.05)[0]:
            os.read(fd, 65535)
    os.close(fd)


def send():
    a4, a6 = LINK0
    for addr in (a4, a6):
        tcp_exchange(addr, (1, 100, 1400, 3000))
        udp_exchange(addr, (0, 1, 100, 1472))
        udp_exchange(addr, (4000,))			# fragments, both ways
        udp_exchange(addr, (10,), port=CLOSED_PORT, answer=False)
        ping(addr)
    tcp_exchange(LINK1, (20000,))
    udp_exchange(LINK1, (8000, 8972))
    ping(LINK1, size=8972)
    tagged("a2", "a3")
    loopback()
    tun("tun0")


if __name__ == "__main__":
    if sys.argv[1] == "tagged":
        tagged(sys.argv[2], sys.argv[3])
    else:
        {"sink": sink, "send": send}[sys.argv[1]]()
