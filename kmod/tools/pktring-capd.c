// SPDX-License-Identifier: BSD-2-Clause
// Over 300 lines: options, TPACKET_V3 ring walk and VLAN re-insertion of one daemon.
/*
 * pktring-capd: the no-module mode. Captures an interface with AF_PACKET
 * TPACKET_V3 (both directions) and writes the ring layout into a
 * shared-memory file that every pktring reader maps unchanged; with
 * --rings N, into a ring group of N members, one AF_PACKET socket and one
 * thread per member, the sockets joined in a PACKET_FANOUT_HASH group.
 */
#include "libpktring.h"
#include "pktring_group.h"
#include "pcap_filter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BLOCK_SIZE	(1u << 20)	/* TPACKET_V3 block */
#define BLOCK_COUNT	32
#define FRAME_SIZE	2048		/* unused by V3, must divide the block */
#define BLOCK_TIMEOUT_MS 2		/* a partly filled block is handed over */
#define STATS_EVERY_NS	200000000ull	/* PACKET_STATISTICS -> counters */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pktring-capd -i IFACE -r RING [options]\n"
		"Capture IFACE (both directions) into a shared-memory ring.\n\n"
		"  -i, --interface IFACE  interface to capture\n"
		"  -r, --ring RING        ring name (in " PKTRING_SHM_DIR ") or path\n"
		"  -s, --size SIZE        ring data size, power of two (default 64M)\n"
		"  -n, --snaplen N        bytes kept per packet (default 262144)\n"
		"  -f, --filter EXPR      capture filter in tcpdump syntax\n"
		"  -m, --mode OCTAL       the ring file's mode (default 0640)\n"
		"  -g, --group GROUP      the ring file's group (name or number)\n"
		"  -N, --rings N          a ring group of N members (RING/0 .. RING/N-1,\n"
		"                         each --size), one thread each; both directions\n"
		"                         of a flow go to one member (PACKET_FANOUT_HASH)\n"
		"  -q, --quiet            no summary line\n"
		"  -h, --help             this text\n\n"
		"Runs until SIGINT/SIGTERM (the ring is then ended) or until the\n"
		"interface disappears (exit status 1). Packets the kernel drops before\n"
		"the ring (PACKET_STATISTICS tp_drops) are counted as drop_source.\n");
}

/* libpcap's DLT_* for what AF_PACKET SOCK_RAW gives on this interface. */
static int dlt_of(int fd, const char *ifname, char *err, size_t len)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
		snprintf(err, len, "%s: %s", ifname, strerror(errno));
		return -1;
	}
	switch (ifr.ifr_hwaddr.sa_family) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:
		return DLT_EN10MB;
	case ARPHRD_NONE:
	case ARPHRD_IPGRE:
		return DLT_RAW;
	}
	snprintf(err, len, "%s: hardware type %d is not supported", ifname,
		 ifr.ifr_hwaddr.sa_family);
	return -1;
}

/* Compile EXPR as tcpdump does on ifname and attach it to fd. */
static int attach_filter(int fd, const char *ifname, int snaplen, const char *expr)
{
	struct bpf_program prog;
	struct sock_fprog fprog;
	char err[PCAP_ERRBUF_SIZE + 256];
	int rc = 0;

	if (pktring_compile_filter(ifname, snaplen, expr, &prog, err, sizeof(err))) {
		fprintf(stderr, "pktring-capd: %s\n", err);
		return -1;
	}
	fprog.len = prog.bf_len;
	fprog.filter = (struct sock_filter *)prog.bf_insns;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)) != 0) {
		fprintf(stderr, "pktring-capd: attach filter: %s\n", strerror(errno));
		rc = -1;
	}
	pcap_freecode(&prog);
	return rc;
}

#define MAX_SNAPLEN	262144
#define VLAN_OFFSET	12	/* 2 * ETH_ALEN: where libpcap puts the tag */
#define VLAN_TAG_LEN	4
#define MAX_RINGS	64

/* One ring and the AF_PACKET socket that feeds it, run by one thread. */
struct capd {
	struct pktring_writer w;
	const char *ifname;
	uint32_t snaplen;
	uint32_t ifindex;
	int ethernet;		/* VLAN tags go back in after the MAC addresses */
	int fd;
	uint8_t *map;		/* the TPACKET_V3 blocks */
	int rc;
	const char *why;
	uint64_t packets, bytes;
	/* a frame with its tag re-inserted, up to the snap length */
	uint8_t tagged[MAX_SNAPLEN + VLAN_OFFSET + VLAN_TAG_LEN];
};

/* set by the first thread that sees the interface go; all stop */
static int interface_gone;

static int gone_first(void)
{
	return !__atomic_fetch_add(&interface_gone, 1, __ATOMIC_RELAXED);
}

/*
 * The kernel hands packet sockets a received frame without its outer VLAN
 * tag (in the skb's metadata: tp_vlan_tci, tp_vlan_tpid). Put it back in
 * front of the ethertype exactly as libpcap does for tcpdump (pcap-linux.c:
 * valid when the TCI is non-zero or TP_STATUS_VLAN_VALID is set; the TPID
 * is 0x8100 unless the kernel gives one), so the ring holds the frame as it
 * was on the wire. Returns the bytes to store; *caplen and *len grow by 4.
 */
static const uint8_t *with_vlan_tag(struct capd *cd, const struct tpacket3_hdr *h,
				    const uint8_t *frame, uint32_t *caplen, uint32_t *len)
{
	uint16_t tpid = ETH_P_8021Q, tci = h->hv1.tp_vlan_tci;
	uint32_t rest, limit;

	if (!cd->ethernet || *caplen < VLAN_OFFSET ||
	    !(tci || (h->tp_status & TP_STATUS_VLAN_VALID)))
		return frame;
	if (h->hv1.tp_vlan_tpid || (h->tp_status & TP_STATUS_VLAN_TPID_VALID))
		tpid = h->hv1.tp_vlan_tpid;
	memcpy(cd->tagged, frame, VLAN_OFFSET);
	cd->tagged[VLAN_OFFSET] = tpid >> 8;
	cd->tagged[VLAN_OFFSET + 1] = tpid & 0xff;
	cd->tagged[VLAN_OFFSET + 2] = tci >> 8;
	cd->tagged[VLAN_OFFSET + 3] = tci & 0xff;
	rest = *caplen - VLAN_OFFSET;	/* only what the snap length keeps */
	limit = cd->snaplen > VLAN_OFFSET ? cd->snaplen - VLAN_OFFSET : 0;
	if (rest > limit)
		rest = limit;
	memcpy(cd->tagged + VLAN_OFFSET + VLAN_TAG_LEN, frame + VLAN_OFFSET, rest);
	*caplen += VLAN_TAG_LEN;
	*len += VLAN_TAG_LEN;
	return cd->tagged;
}

static void write_block(struct capd *cd, struct tpacket_block_desc *bd)
{
	struct tpacket3_hdr *h = (void *)((uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt);
	uint32_t i;

	for (i = 0; i < bd->hdr.bh1.num_pkts; i++) {
		struct sockaddr_ll *sll = (void *)((uint8_t *)h + TPACKET_ALIGN(sizeof(*h)));
		struct pktring_rec meta = { 0 };
		uint32_t caplen = h->tp_snaplen, len = h->tp_len;
		const uint8_t *bytes = with_vlan_tag(cd, h, (uint8_t *)h + h->tp_mac,
						     &caplen, &len);

		meta.ts_ns = (uint64_t)h->tp_sec * 1000000000ull + h->tp_nsec;
		meta.caplen = caplen < cd->snaplen ? caplen : cd->snaplen;
		meta.origlen = len;
		meta.ifindex = sll->sll_ifindex;
		meta.pkttype = sll->sll_pkttype;
		meta.protocol = sll->sll_protocol;
		meta.direction = sll->sll_pkttype == PACKET_OUTGOING ? PKTRING_DIR_OUT :
								  PKTRING_DIR_IN;
		if (caplen > cd->snaplen)
			pktring_writer_count(&cd->w, PKTRING_CTR_TRUNCATED, 1);
		if (pktring_writer_put(&cd->w, &meta, bytes) == 0) {
			cd->packets++;
			cd->bytes += meta.caplen;
		}
		h = (void *)((uint8_t *)h + h->tp_next_offset);
	}
}

static void collect_stats(struct capd *cd, int fd)
{
	struct tpacket_stats_v3 st;
	socklen_t len = sizeof(st);

	/* reading resets the kernel's counters: each drop is added once */
	if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0 && st.tp_drops) {
		pktring_writer_count(&cd->w, PKTRING_CTR_DROP_SOURCE, st.tp_drops);
		pktring_writer_count(&cd->w, PKTRING_CTR_SEEN, st.tp_drops);
	}
}

static const struct tpacket_req3 block_req = {
	.tp_block_size = BLOCK_SIZE, .tp_block_nr = BLOCK_COUNT,
	.tp_frame_size = FRAME_SIZE,
	.tp_frame_nr = BLOCK_SIZE / FRAME_SIZE * BLOCK_COUNT,
	.tp_retire_blk_tov = BLOCK_TIMEOUT_MS,
};

/* Socket with its TPACKET_V3 ring, not yet bound; cd->ethernet set. */
static int open_socket(struct capd *cd, int *dlt)
{
	struct tpacket_req3 req = block_req;
	int version = TPACKET_V3;
	char err[256];

	/* protocol 0: nothing arrives before the filter and ring are set */
	cd->fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (cd->fd < 0) {
		fprintf(stderr, "pktring-capd: AF_PACKET socket: %s\n", strerror(errno));
		return -1;
	}
	*dlt = dlt_of(cd->fd, cd->ifname, err, sizeof(err));
	if (*dlt < 0) {
		fprintf(stderr, "pktring-capd: interface %s\n", err);
		return -1;
	}
	cd->ethernet = *dlt == DLT_EN10MB;
	if (setsockopt(cd->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) ||
	    setsockopt(cd->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req))) {
		fprintf(stderr, "pktring-capd: TPACKET_V3 ring: %s\n", strerror(errno));
		return -1;
	}
	cd->map = mmap(NULL, (size_t)BLOCK_SIZE * BLOCK_COUNT, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_LOCKED, cd->fd, 0);
	if (cd->map == MAP_FAILED)
		cd->map = mmap(NULL, (size_t)BLOCK_SIZE * BLOCK_COUNT, PROT_READ | PROT_WRITE,
			       MAP_SHARED, cd->fd, 0);
	if (cd->map == MAP_FAILED) {
		fprintf(stderr, "pktring-capd: mmap TPACKET_V3 ring: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int bind_socket(struct capd *cd)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };

	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = cd->ifindex;
	if (bind(cd->fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		fprintf(stderr, "pktring-capd: bind to %s: %s\n", cd->ifname, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * A group's sockets each start with a filter that takes nothing: bound but
 * not yet in the fanout group, a socket would get a copy of every packet.
 * Once all have joined, the real filter (or none) replaces it, so each
 * packet reaches exactly one member from then on.
 */
static int attach_drop_all(int fd)
{
	struct sock_filter ret0 = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = { .len = 1, .filter = &ret0 };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) != 0) {
		fprintf(stderr, "pktring-capd: attach filter: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * PACKET_FANOUT_HASH: the kernel picks the member by a symmetric hash of
 * the flow (addresses, ports), so both directions of a flow go to the
 * same member. No rollover: a member whose socket is full drops (counted
 * as drop_source) rather than move a flow. The first socket asks the
 * kernel for an id no other fanout group uses; the others join it.
 */
static int join_fanout(int fd, int *id)
{
	int val = *id < 0 ? (PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_UNIQUEID) << 16 :
			    *id | PACKET_FANOUT_HASH << 16;
	socklen_t len = sizeof(val);

	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &val, sizeof(val)) != 0) {
		fprintf(stderr, "pktring-capd: PACKET_FANOUT: %s\n", strerror(errno));
		return -1;
	}
	if (*id < 0) {
		if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &val, &len) != 0) {
			fprintf(stderr, "pktring-capd: PACKET_FANOUT id: %s\n", strerror(errno));
			return -1;
		}
		*id = val & 0xffff;
	}
	return 0;
}

/* Copy blocks into the ring until stopped or the interface is gone. */
static void *capture(void *arg)
{
	struct capd *cd = arg;
	uint64_t last_stats = 0;
	int blk = 0;

	cd->why = "signal";
	while (!pktring_stop && !__atomic_load_n(&interface_gone, __ATOMIC_RELAXED)) {
		struct tpacket_block_desc *bd = (void *)(cd->map + (size_t)blk * BLOCK_SIZE);
		uint64_t now;

		if (__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) {
			write_block(cd, bd);
			__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL,
					 __ATOMIC_RELEASE);
			blk = (blk + 1) % BLOCK_COUNT;
			pktring_writer_flush(&cd->w);	/* W6 per block */
		} else {
			struct pollfd pfd = { .fd = cd->fd, .events = POLLIN | POLLERR };

			if (poll(&pfd, 1, 100) > 0 && (pfd.revents & (POLLERR | POLLNVAL))) {
				int e = 0;
				socklen_t l = sizeof(e);

				getsockopt(cd->fd, SOL_SOCKET, SO_ERROR, &e, &l);
				if (e != ENETDOWN || if_nametoindex(cd->ifname) != cd->ifindex) {
					cd->why = "interface gone";
					if (gone_first())
						fprintf(stderr, "pktring-capd: interface %s disappeared (%s)\n",
							cd->ifname, strerror(e ? e : ENODEV));
					cd->rc = 1;
					break;
				}
			}
		}
		now = pktring_now_ns(CLOCK_MONOTONIC);
		if (now - last_stats >= STATS_EVERY_NS) {
			last_stats = now;
			collect_stats(cd, cd->fd);
			if (if_nametoindex(cd->ifname) != cd->ifindex) {
				cd->why = "interface gone";
				if (gone_first())
					fprintf(stderr, "pktring-capd: interface %s disappeared\n",
						cd->ifname);
				cd->rc = 1;
				break;
			}
		}
	}
	if (__atomic_load_n(&interface_gone, __ATOMIC_RELAXED) && !cd->rc) {
		cd->why = "interface gone";
		cd->rc = 1;
	}
	/* what the kernel still holds, then the final drop count */
	while (!cd->rc) {
		struct tpacket_block_desc *bd = (void *)(cd->map + (size_t)blk * BLOCK_SIZE);

		if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			break;
		write_block(cd, bd);
		__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		blk = (blk + 1) % BLOCK_COUNT;
	}
	collect_stats(cd, cd->fd);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "ring", required_argument, NULL, 'r' },
		{ "size", required_argument, NULL, 's' },
		{ "snaplen", required_argument, NULL, 'n' },
		{ "filter", required_argument, NULL, 'f' },
		{ "mode", required_argument, NULL, 'm' },
		{ "group", required_argument, NULL, 'g' },
		{ "rings", required_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ifname = NULL, *ring = NULL, *filter = NULL;
	uint64_t size = 64 << 20, group_epoch = 0;
	uint32_t snaplen = MAX_SNAPLEN, ifindex;
	unsigned long nrings = 0;
	int c, dlt = 0, rc = 0, quiet = 0, fanout_id = -1;
	struct capd **cds;
	pthread_t *threads;
	struct pktring_perm perm = { 0 };
	char group_dir[PATH_MAX];
	char *end;
	unsigned int i, n, started;

	while ((c = getopt_long(argc, argv, "i:r:s:n:f:m:g:N:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'r': ring = optarg; break;
		case 's':
			if (pktring_parse_size(optarg, &size)) {
				fprintf(stderr, "pktring-capd: bad --size '%s'\n", optarg);
				return 2;
			}
			break;
		case 'n':
			snaplen = strtoul(optarg, &end, 10);
			if (*end || snaplen < 1 || snaplen > MAX_SNAPLEN || *optarg == '-') {
				fprintf(stderr, "pktring-capd: bad --snaplen '%s' (1..262144)\n", optarg);
				return 2;
			}
			break;
		case 'f': filter = optarg; break;
		case 'm':
			if (pktring_parse_mode(optarg, &perm.mode)) {
				fprintf(stderr, "pktring-capd: bad --mode '%s' (octal, within 0666)\n", optarg);
				return 2;
			}
			break;
		case 'g':
			if (pktring_parse_group(optarg, &perm.gid)) {
				fprintf(stderr, "pktring-capd: no group '%s'\n", optarg);
				return 2;
			}
			perm.set_gid = 1;
			break;
		case 'N':
			nrings = strtoul(optarg, &end, 10);
			if (*end || nrings < 1 || nrings > MAX_RINGS || *optarg == '-') {
				fprintf(stderr, "pktring-capd: bad --rings '%s' (1..%d)\n", optarg,
					MAX_RINGS);
				return 2;
			}
			break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!ifname || !ring || optind != argc) {
		usage(stderr);
		return 2;
	}
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, "pktring-capd: interface %s: %s\n", ifname, strerror(errno));
		return 1;
	}
	n = nrings ? nrings : 1;
	cds = calloc(n, sizeof(*cds));
	threads = calloc(n, sizeof(*threads));
	if (!cds || !threads) {
		fprintf(stderr, "pktring-capd: out of memory\n");
		free(cds);
		free(threads);
		return 1;
	}
	if (nrings) {
		char err[4400];

		if (pktring_group_prepare(ring, n, &perm, group_dir, sizeof(group_dir),
					  err, sizeof(err))) {
			fprintf(stderr, "pktring-capd: %s\n", err);
			rc = 1;
			goto out;
		}
		group_epoch = pktring_new_epoch();
	}
	for (i = 0; i < n; i++) {
		struct capd *cd = calloc(1, sizeof(*cd));
		char path[PATH_MAX + 16];

		if (!cd) {
			fprintf(stderr, "pktring-capd: out of memory\n");
			rc = 1;
			goto out;
		}
		cds[i] = cd;
		cd->fd = -1;
		cd->map = MAP_FAILED;
		cd->why = "not started";
		cd->ifname = ifname;
		cd->ifindex = ifindex;
		cd->snaplen = snaplen;
		/* a group's members take nothing until all are in the fanout */
		if (open_socket(cd, &dlt) ||
		    (nrings ? attach_drop_all(cd->fd) :
			      filter && attach_filter(cd->fd, ifname, snaplen, filter))) {
			rc = 1;
			goto out;
		}
		if (nrings)
			snprintf(path, sizeof(path), "%s/%u", group_dir, i);
		else
			snprintf(path, sizeof(path), "%s", ring);
		{
			struct pktring_create_opts o = {
				.data_size = size, .linktype = pktring_linktype_of_dlt(dlt),
				.snaplen = snaplen,
				.ifindex = ifindex, .ifname = ifname, .perm = perm,
				.group_epoch = group_epoch, .ring_index = i,
				.ring_count = n, .flags = nrings ? PKTRING_F_BY_FLOW : 0,
			};

			if (pktring_writer_create(&cd->w, path, &o)) {
				fprintf(stderr, "pktring-capd: %s\n", cd->w.err);
				rc = 1;
				goto out;
			}
		}
		if (bind_socket(cd) || (nrings && join_fanout(cd->fd, &fanout_id))) {
			rc = 1;
			goto out;
		}
	}
	/* every socket in the fanout group: from now on each packet once */
	for (i = 0; nrings && i < n; i++) {
		int none = 0;

		if (filter ? attach_filter(cds[i]->fd, ifname, snaplen, filter) :
			     setsockopt(cds[i]->fd, SOL_SOCKET, SO_DETACH_FILTER, &none,
					sizeof(none))) {
			fprintf(stderr, "pktring-capd: set the filter of member %u: %s\n", i,
				strerror(errno));
			rc = 1;
			goto out;
		}
	}
	pktring_stop_on_signals();
	if (cds[0]->w.warning[0])
		fprintf(stderr, "pktring-capd: %s\n", cds[0]->w.warning);
	if (!quiet) {
		if (nrings)
			fprintf(stderr, "pktring-capd: capturing %s into a group of %u rings %s/0..%u (group epoch 0x%016llx, fanout %d)%s%s\n",
				ifname, n, group_dir, n - 1, (unsigned long long)group_epoch,
				fanout_id, filter ? ", filter: " : "", filter ? filter : "");
		else
			fprintf(stderr, "pktring-capd: capturing %s into %s (epoch 0x%016llx)%s%s\n",
				ifname, cds[0]->w.pl.path, (unsigned long long)cds[0]->w.ctl->epoch,
				filter ? ", filter: " : "", filter ? filter : "");
	}
	for (started = 1; started < n; started++) {
		errno = pthread_create(&threads[started], NULL, capture, cds[started]);
		if (errno) {
			fprintf(stderr, "pktring-capd: thread: %s\n", strerror(errno));
			pktring_stop = 1;
			rc = 1;
			break;
		}
	}
	capture(cds[0]);
	for (i = 1; i < started; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < n; i++) {
		struct capd *cd = cds[i];

		if (cd->rc)
			rc = cd->rc;
		if (!quiet)
			fprintf(stderr, "pktring-capd: %s: %llu packets (%llu bytes) into %s, dropped before the ring %llu, too big %llu; stopped: %s\n",
				ifname, (unsigned long long)cd->packets,
				(unsigned long long)cd->bytes, cd->w.pl.path,
				(unsigned long long)cd->w.ctl->counters[PKTRING_CTR_DROP_SOURCE],
				(unsigned long long)cd->w.ctl->counters[PKTRING_CTR_DROP_TOO_BIG],
				cd->why);
	}
out:
	for (i = 0; i < n; i++) {
		struct capd *cd = cds[i];

		if (!cd)
			continue;
		if (cd->w.ctl)
			pktring_writer_close(&cd->w, 1);
		if (cd->map != MAP_FAILED)
			munmap(cd->map, (size_t)BLOCK_SIZE * BLOCK_COUNT);
		if (cd->fd >= 0)
			close(cd->fd);
		free(cd);
	}
	free(cds);
	free(threads);
	return rc;
}
