// SPDX-License-Identifier: GPL-2.0
/* Over 300 lines: the guest checks need their own independent R1-R5 reader. */
/*
 * pktring-vmtest: the guest-side checks of the kernel module's VM tests,
 * each a subcommand that prints what it saw and exits non-zero on failure.
 *
 *   refusals DEV            mmap/mprotect refusals, with their errno
 *                           (writable or executable), and the identity
 *   read DEV [-w PCAP] [--lines FILE] [--slow-us N] [--follow] [--timeout S]
 *            [--linger-ms MS]  (keep the mapping MS after the end)
 *                           an independent reader (pktring_ring.h R1-R5)
 *   pollwait DEV MS         poll(2) wakes when head moves
 *   pollend DEV MS          poll(2) blocked on an idle ring wakes with
 *                           POLLHUP when the ring is removed
 *   vmas DEV                mremap cannot grow the mapping; split, moved
 *                           and forked mappings stay readable until the
 *                           ring is removed (the child outlives the parent's
 *                           mapping; prints "parent-unmapped" when only the
 *                           child maps the ring)
 *   vlan DEV COUNT          COUNT rounds of tagged frames written whole to
 *                           DEV: 802.1Q (VLAN 100, priority and DEI bits,
 *                           VLAN 0, an all-zero TCI, a 1518-byte frame),
 *                           QinQ (802.1ad 200 outside 802.1Q 300; a 0x9100
 *                           outer TPID) and one untagged frame
 *   pcapinfo F              count, bytes, max caplen of a pcap file
 *   fakering PATH EPOCH     write a small ended shared-memory ring file
 *   addv1 IFACE             PKTRING_IOC_ADD as a pktring-ctl of before
 *                           groups passes it (the 48-byte struct)
 *   now                     CLOCK_REALTIME in ns
 *
 * The guest's UDP traffic and pcap comparisons are the host tests' own
 * helpers, kmod/tests/udp_sender.c and kmod/tests/pcap_compare.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

/* the user-space barriers of pktring_ring.h; no library function is used */
#include "../../lib/libpktring.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "pktring-vmtest: %s %s: %s\n", what, arg,
		strerror(errno));
	exit(1);
}

/* The whole ring mapped read-only; its size from the control page. */
static struct pktring_ctl *map_ring(const char *dev, int *fdp, size_t *lenp)
{
	struct pktring_ctl *ctl;
	size_t len;
	int fd = open(dev, O_RDONLY);

	if (fd < 0)
		die("open", dev);
	ctl = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (ctl == MAP_FAILED)
		die("mmap control page of", dev);
	if (ctl->magic != PKTRING_MAGIC || ctl->abi_version != 1) {
		fprintf(stderr, "pktring-vmtest: %s: not a pktring v1 ring\n",
			dev);
		exit(1);
	}
	len = ctl->data_offset + ctl->data_size;
	munmap(ctl, 4096);
	ctl = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (ctl == MAP_FAILED)
		die("mmap", dev);
	*fdp = fd;
	*lenp = len;
	return ctl;
}

static int failures;

static void expect_errno(const char *name, int ok, int err, int want)
{
	if (!ok && err == want) {
		printf("ok %s (%s)\n", name, strerror(err));
	} else {
		printf("FAIL %s: expected %s, got %s\n", name, strerror(want),
		       ok ? "success" : strerror(err));
		failures++;
	}
}

static int cmd_refusals(const char *dev)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd, rw, status, rc;
	size_t len;
	struct pktring_ctl *ctl = map_ring(dev, &fd, &len);
	void *p;
	pid_t pid;

	/* the kernel beats; NIC timestamps only when asked; epoch < 2^53 */
	if (ctl->flags != (PKTRING_WAIT_POLL | PKTRING_F_HEARTBEAT) ||
	    ctl->data_offset != (size_t)pg ||
	    ctl->state != PKTRING_STATE_LIVE || !ctl->epoch ||
	    ctl->epoch >> PKTRING_EPOCH_BITS ||
	    ctl->rec_hdr_size != PKTRING_REC_HDR_SIZE) {
		printf("FAIL identity: flags 0x%x data_offset %llu state %u epoch %llu\n",
		       ctl->flags, (unsigned long long)ctl->data_offset,
		       ctl->state, (unsigned long long)ctl->epoch);
		failures++;
	} else {
		printf("ok identity (size %llu, epoch %llu < 2^53, flags poll|heartbeat)\n",
		       (unsigned long long)ctl->data_size,
		       (unsigned long long)ctl->epoch);
	}

	/* the module refuses VM_WRITE, even on a file opened for writing */
	rw = open(dev, O_RDWR);
	if (rw < 0)
		die("open O_RDWR", dev);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	expect_errno("mmap-shared-writable", p != MAP_FAILED, errno, EPERM);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	expect_errno("mmap-private-writable", p != MAP_FAILED, errno, EPERM);
	/* the VFS refuses a shared writable map of a read-only open */
	p = mmap(NULL, len, PROT_WRITE, MAP_SHARED, fd, 0);
	expect_errno("mmap-shared-writable-rdonly-fd", p != MAP_FAILED, errno,
		     EACCES);

	/* VM_MAYWRITE is cleared: no upgrade by mprotect */
	rc = mprotect(ctl, len, PROT_READ | PROT_WRITE);
	expect_errno("mprotect-shared-writable", !rc, errno, EACCES);
	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, rw, 0);
	if (p == MAP_FAILED)
		die("mmap private", dev);
	rc = mprotect(p, len, PROT_READ | PROT_WRITE);
	expect_errno("mprotect-private-writable", !rc, errno, EACCES);
	munmap(p, len);

	/* packets are never code: no executable mapping, no mprotect to it */
	p = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	expect_errno("mmap-shared-exec", p != MAP_FAILED, errno, EPERM);
	p = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	expect_errno("mmap-private-exec", p != MAP_FAILED, errno, EPERM);
	rc = mprotect(ctl, len, PROT_READ | PROT_EXEC);
	expect_errno("mprotect-shared-exec", !rc, errno, EACCES);
	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		die("mmap private", dev);
	rc = mprotect(p, len, PROT_EXEC);
	expect_errno("mprotect-private-exec", !rc, errno, EACCES);
	munmap(p, len);

	/* size and offset are checked against the ring */
	p = mmap(NULL, len + pg, PROT_READ, MAP_SHARED, fd, 0);
	expect_errno("mmap-past-end", p != MAP_FAILED, errno, EINVAL);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, pg);
	expect_errno("mmap-offset-plus-length-past-end", p != MAP_FAILED,
		     errno, EINVAL);
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, len);
	expect_errno("mmap-offset-at-end", p != MAP_FAILED, errno, EINVAL);
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 100);
	expect_errno("mmap-unaligned-offset", p != MAP_FAILED, errno, EINVAL);
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, pg);
	if (p == MAP_FAILED) {
		printf("FAIL mmap-data-page: %s\n", strerror(errno));
		failures++;
	} else {
		printf("ok mmap-data-page (an offset inside the ring maps)\n");
		munmap(p, pg);
	}

	/* a store through the mapping faults */
	pid = fork();
	if (!pid) {
		*(volatile __u64 *)&ctl->head = 0;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) {
		printf("ok store-faults (SIGSEGV)\n");
	} else {
		printf("FAIL store-faults: child status %d\n", status);
		failures++;
	}
	close(rw);
	munmap(ctl, len);
	close(fd);
	return failures ? 1 : 0;
}

static int cmd_read(int argc, char **argv)
{
	const char *dev = argv[0], *out = NULL;
	int fd, follow = 0, i, ended = 0;
	long slow_us = 0, timeout_s = 60, linger_ms = 0;
	uint64_t packets = 0, lost = 0, bytes = 0, first_seq = 0, last_seq = 0;
	uint64_t dir_in = 0, dir_out = 0, hwts = 0, ts_min = UINT64_MAX, ts_max = 0;
	FILE *lines = NULL;
	uint64_t target, t_end;
	size_t len;
	struct pktring_ctl *ctl = map_ring(dev, &fd, &len);
	const uint8_t *data = (const uint8_t *)ctl + ctl->data_offset;
	struct pktring_cursor c = { 0 };
	struct pktring_rec hdr;
	pcap_dumper_t *d = NULL;
	pcap_t *dead = NULL;
	uint8_t *buf;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-w") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--slow-us") && i + 1 < argc)
			slow_us = atol(argv[++i]);
		else if (!strcmp(argv[i], "--linger-ms") && i + 1 < argc)
			linger_ms = atol(argv[++i]);
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout_s = atol(argv[++i]);
		else if (!strcmp(argv[i], "--lines") && i + 1 < argc) {
			lines = fopen(argv[++i], "w");
			if (!lines)
				die("open", argv[i]);
		} else if (!strcmp(argv[i], "--follow"))
			follow = 1;
		else
			return 2;
	}
	c.size = ctl->data_size;
	c.max_record = ctl->max_record;
	c.pos = PKTRING_LOAD_ACQUIRE(&ctl->reclaim);
	buf = malloc(c.max_record);
	if (out) {
		dead = pcap_open_dead_with_tstamp_precision(ctl->linktype,
			ctl->snaplen, PCAP_TSTAMP_PRECISION_NANO);
		d = pcap_dump_open(dead, out);
		if (!d) {
			fprintf(stderr, "%s: %s\n", out, pcap_geterr(dead));
			return 1;
		}
	}
	target = PKTRING_LOAD_ACQUIRE(&ctl->head);
	t_end = now_ms() + timeout_s * 1000;
	for (;;) {
		__u64 l = 0;
		const char *why;
		enum pktring_read_result res;

		if (!follow && c.pos >= target)
			break;
		res = pktring_read(ctl, data, &c, &hdr, buf, &l, &why);
		if (res == PKTRING_READ_CORRUPT) {
			fprintf(stderr, "pktring-vmtest: %s: corrupt: %s\n",
				dev, why);
			return 1;
		}
		if (res == PKTRING_READ_AGAIN)
			continue;
		if (res == PKTRING_READ_EMPTY) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };

			if (ended)
				break;	/* drained after the end */
			if (now_ms() > t_end) {
				fprintf(stderr, "pktring-vmtest: %s: timeout\n",
					dev);
				return 1;
			}
			if (PKTRING_LOAD_ACQUIRE(&ctl->state) ==
			    PKTRING_STATE_ENDED) {
				ended = 1;	/* one more pass up to head */
				continue;
			}
			poll(&pfd, 1, 100);
			continue;
		}
		if (!packets)
			first_seq = hdr.seq;
		last_seq = hdr.seq;
		packets++;
		lost += l;
		bytes += hdr.caplen;
		dir_in += hdr.direction == PKTRING_DIR_IN;
		dir_out += hdr.direction == PKTRING_DIR_OUT;
		hwts += !!(hdr.flags & PKTRING_RF_HW_TSTAMP);
		if (hdr.ts_ns < ts_min)
			ts_min = hdr.ts_ns;
		if (hdr.ts_ns > ts_max)
			ts_max = hdr.ts_ns;
		if (lines) {	/* the format of the Java RingCat */
			uint32_t k;

			fprintf(lines, "%llu %llu %u %u ",
				(unsigned long long)hdr.seq,
				(unsigned long long)hdr.ts_ns, hdr.caplen,
				hdr.origlen);
			for (k = 0; k < hdr.caplen; k++)
				fprintf(lines, "%02x", buf[k]);
			fputc('\n', lines);
		}
		if (d) {
			struct pcap_pkthdr ph = {
				.ts.tv_sec = hdr.ts_ns / 1000000000,
				.ts.tv_usec = hdr.ts_ns % 1000000000,
				.caplen = hdr.caplen,
				.len = hdr.origlen,
			};
			pcap_dump((u_char *)d, &ph, buf);
		}
		if (slow_us)
			usleep(slow_us);
	}
	if (d)
		pcap_dump_close(d);
	if (lines)
		fclose(lines);
	if (linger_ms) {	/* keep the mapping a while after the end */
		printf("lingering\n");
		fflush(stdout);
		usleep(linger_ms * 1000);
	}
	printf("packets=%llu lost=%llu bytes=%llu first_seq=%llu last_seq=%llu in=%llu out=%llu hwts=%llu ts_min=%llu ts_max=%llu ended=%d\n",
	       (unsigned long long)packets, (unsigned long long)lost,
	       (unsigned long long)bytes, (unsigned long long)first_seq,
	       (unsigned long long)last_seq, (unsigned long long)dir_in,
	       (unsigned long long)dir_out, (unsigned long long)hwts,
	       (unsigned long long)(packets ? ts_min : 0),
	       (unsigned long long)ts_max,
	       PKTRING_LOAD_ACQUIRE(&ctl->state) == PKTRING_STATE_ENDED);
	return 0;
}

/* Block in poll(2) until head moves; print how long it took. */
static int cmd_pollwait(const char *dev, long ms)
{
	int fd;
	size_t len;
	struct pktring_ctl *ctl = map_ring(dev, &fd, &len);
	uint64_t h0 = PKTRING_LOAD_ACQUIRE(&ctl->head), t0 = now_ms();
	uint64_t polls = 0;

	while (now_ms() - t0 < (uint64_t)ms) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (PKTRING_LOAD_ACQUIRE(&ctl->head) != h0) {
			printf("woke after %llu ms, %llu polls\n",
			       (unsigned long long)(now_ms() - t0),
			       (unsigned long long)polls);
			return 0;
		}
		poll(&pfd, 1, ms);
		polls++;
	}
	printf("no wake in %ld ms\n", ms);
	return 1;
}

/* One poll(2) of up to MS ms on an idle ring must end with POLLHUP. */
static int cmd_pollend(const char *dev, long ms)
{
	struct pollfd pfd;
	uint64_t t0;
	size_t len;
	int fd, n;
	struct pktring_ctl *ctl = map_ring(dev, &fd, &len);

	pfd.fd = fd;
	pfd.events = POLLIN;
	poll(&pfd, 1, 0);	/* consume a POLLIN for what came before */
	printf("polling\n");
	t0 = now_ms();
	do {
		n = poll(&pfd, 1, ms);
	} while (n == 1 && !(pfd.revents & POLLHUP) && now_ms() - t0 < (uint64_t)ms);
	printf("poll returned %d revents 0x%x after %llu ms, state %u\n", n,
	       pfd.revents, (unsigned long long)(now_ms() - t0),
	       PKTRING_LOAD_ACQUIRE(&ctl->state));
	munmap(ctl, len);
	close(fd);
	return n == 1 && (pfd.revents & POLLHUP) ? 0 : 1;
}

static sigjmp_buf fault_jmp;
static volatile uint8_t touched;

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, sig);
}

/* Read every page of [p, p + len); 0 when all of it is mapped. */
static int touch(const volatile uint8_t *p, size_t len)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t i;

	signal(SIGSEGV, on_fault);
	signal(SIGBUS, on_fault);
	if (sigsetjmp(fault_jmp, 1))
		return -1;
	for (i = 0; i < len; i += pg)
		touched = p[i];
	return 0;
}

/*
 * The mapping's life: mremap may not grow it; a split, a moved part and a
 * fork each keep the ring, and the child still reads it after the parent
 * unmapped and closed everything and the ring was removed.
 */
static int cmd_vmas(const char *dev)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd, status;
	size_t len;
	struct pktring_ctl *ctl = map_ring(dev, &fd, &len);
	uint8_t *base = (uint8_t *)ctl, *moved, *p;
	uint64_t t0;
	pid_t pid;

	/* VM_DONTEXPAND: growing in place or by moving is refused */
	p = mremap(base, len, len + pg, 0);
	expect_errno("mremap-grow", p != MAP_FAILED, errno, EFAULT);
	p = mremap(base, len, len + pg, MREMAP_MAYMOVE);
	expect_errno("mremap-grow-maymove", p != MAP_FAILED, errno, EFAULT);

	/* split: unmap the second page, the rest stays mapped */
	if (munmap(base + pg, pg))
		die("munmap page of", dev);
	/* move the tail (data pages 2..) elsewhere */
	moved = mremap(base + 2 * pg, len - 2 * pg, len - 2 * pg,
		       MREMAP_MAYMOVE);
	if (moved == MAP_FAILED)
		die("mremap move of", dev);
	if (touch(base, pg) || touch(moved, len - 2 * pg)) {
		printf("FAIL split/moved mapping not readable\n");
		return 1;
	}
	printf("ok split-and-moved mappings readable\n");

	pid = fork();
	if (pid < 0)
		die("fork", dev);
	if (!pid) {
		/* the child's copies of both pieces outlive the parent's */
		t0 = now_ms();
		while (PKTRING_LOAD_ACQUIRE(&ctl->state) != PKTRING_STATE_ENDED) {
			if (now_ms() - t0 > 30000) {
				printf("FAIL child: ring never ended\n");
				_exit(1);
			}
			usleep(10000);
		}
		if (touch(base, pg) || touch(moved, len - 2 * pg) ||
		    ctl->magic != PKTRING_MAGIC) {
			printf("FAIL child: mapping unreadable after the end\n");
			_exit(1);
		}
		printf("ok child reads the ended ring through its copies\n");
		_exit(0);
	}
	munmap(base, pg);
	munmap(moved, len - 2 * pg);
	close(fd);
	printf("parent-unmapped\n");
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		failures++;
	return failures ? 1 : 0;
}

/* One Ethernet frame: broadcast, TAGS (TPID/TCI pairs), IPv4 UDP of n bytes */
static size_t tagged_frame(uint8_t *f, const uint8_t *src,
			   const uint16_t *tags, int ntags, size_t n)
{
	static const uint8_t ip_addrs[8] = { 10, 77, 0, 1, 10, 77, 0, 2 };
	uint8_t *ip;
	uint32_t sum = 0;
	size_t len = 12;
	int i;

	memset(f, 0xff, 6);
	memcpy(f + 6, src, 6);
	for (i = 0; i < 2 * ntags; i++, len += 2) {
		f[len] = tags[i] >> 8;
		f[len + 1] = tags[i] & 0xff;
	}
	f[len++] = 0x08;	/* IPv4 */
	f[len++] = 0x00;
	ip = f + len;
	memset(ip, 0, 28);
	ip[0] = 0x45;
	ip[2] = (20 + 8 + n) >> 8;
	ip[3] = (20 + 8 + n) & 0xff;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, ip_addrs, 8);
	for (i = 0; i < 20; i += 2)
		sum += ip[i] << 8 | ip[i + 1];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~((sum & 0xffff) + (sum >> 16)) & 0xffff;
	ip[10] = sum >> 8;
	ip[11] = sum & 0xff;
	ip[20] = 0x9c;		/* ports 40000 -> 5002, no UDP checksum */
	ip[21] = 0x40;
	ip[22] = 0x13;
	ip[23] = 0x8a;
	ip[24] = (8 + n) >> 8;
	ip[25] = (8 + n) & 0xff;
	for (i = 0; i < (int)n; i++)
		ip[28 + i] = (uint8_t)(i * 7 + 3);
	return len + 28 + n;
}

static int cmd_vlan(const char *dev, long count)
{
	static const struct {
		uint16_t tags[4];
		int ntags;
		size_t n;
	} frames[] = {
		{ { 0x8100, 100 }, 1, 18 },
		{ { 0x8100, 5 << 13 | 1 << 12 | 100 }, 1, 100 },
		{ { 0x8100, 100 }, 1, 1472 },
		{ { 0x8100, 3 << 13 }, 1, 10 },
		{ { 0x8100, 0 }, 1, 11 },
		{ { 0x88a8, 200, 0x8100, 300 }, 2, 18 },
		{ { 0x88a8, 4 << 13 | 200, 0x8100, 2 << 13 | 300 }, 2, 1000 },
		{ { 0x9100, 200, 0x8100, 300 }, 2, 20 },
		{ { 0 }, 0, 30 },
	};
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	uint8_t f[1600], src[6] = { 2, 0, 0, 0, 0x77, 1 };
	int s = socket(AF_PACKET, SOCK_RAW, 0);
	size_t k, len;
	long i;

	sll.sll_ifindex = if_nametoindex(dev);
	if (s < 0 || !sll.sll_ifindex)
		die("packet socket", dev);
	for (i = 0; i < count; i++) {
		for (k = 0; k < sizeof(frames) / sizeof(frames[0]); k++) {
			len = tagged_frame(f, src, frames[k].tags,
					   frames[k].ntags, frames[k].n);
			if (sendto(s, f, len, 0, (void *)&sll, sizeof(sll)) < 0)
				die("sendto", dev);
			usleep(2000);
		}
	}
	close(s);
	return 0;
}

/* Packet count, captured bytes and the largest caplen of a pcap file. */
static void pcap_totals(const char *file, size_t *n, uint64_t *bytes,
			uint32_t *maxcap)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(file, err);
	struct pcap_pkthdr *h;
	const u_char *b;

	if (!p) {
		fprintf(stderr, "pktring-vmtest: %s\n", err);
		exit(1);
	}
	*n = 0;
	*bytes = 0;
	*maxcap = 0;
	while (pcap_next_ex(p, &h, &b) == 1) {
		*bytes += h->caplen;
		if (h->caplen > *maxcap)
			*maxcap = h->caplen;
		(*n)++;
	}
	pcap_close(p);
}

static int cmd_pcapinfo(const char *f)
{
	size_t n;
	uint64_t bytes;
	uint32_t maxcap;

	pcap_totals(f, &n, &bytes, &maxcap);
	printf("packets=%zu bytes=%llu maxcaplen=%u\n", n,
	       (unsigned long long)bytes, maxcap);
	return 0;
}

/* A shared-memory ring file with no packets, ended: what a writer leaves. */
static int cmd_fakering(const char *path, const char *epoch)
{
	static struct pktring_ctl ctl;
	static char data[4096];
	FILE *f = fopen(path, "w");

	ctl.magic = PKTRING_MAGIC;
	ctl.abi_version = PKTRING_ABI_VERSION;
	ctl.rec_hdr_size = PKTRING_REC_HDR_SIZE;
	ctl.data_offset = PKTRING_CTL_SIZE;
	ctl.data_size = sizeof(data);
	ctl.epoch = strtoull(epoch, NULL, 0);
	ctl.linktype = 1;
	ctl.snaplen = 1500;
	ctl.flags = PKTRING_WAIT_FUTEX;
	ctl.ring_count = 1;
	ctl.max_record = pktring_rec_len(1500);
	ctl.ctr_count = PKTRING_CTR_USED;
	ctl.state = PKTRING_STATE_ENDED;
	if (!f || fwrite(&ctl, sizeof(ctl), 1, f) != 1 ||
	    fseek(f, PKTRING_CTL_SIZE, SEEK_SET) ||
	    fwrite(data, sizeof(data), 1, f) != 1 || fclose(f))
		die("write", path);
	return 0;
}

/* The add ioctl as a control tool built before groups sends it. */
static int cmd_addv1(const char *ifname)
{
	struct pktring_ioc_add_v1 {
		char ifname[16];
		__u64 size;
		__u32 snaplen, mode, gid, filter_len;
		__u64 filter;
	} a = { .size = 1 << 16, .snaplen = 1500 };
	int fd = open("/dev/pktring-ctl", O_RDWR);

	_Static_assert(sizeof(a) == 48, "the struct before flags");
	snprintf(a.ifname, sizeof(a.ifname), "%s", ifname);
	if (fd < 0)
		die("open", "/dev/pktring-ctl");
	if (ioctl(fd, _IOW('P', 1, struct pktring_ioc_add_v1), &a))
		die("PKTRING_IOC_ADD (48 bytes)", ifname);
	close(fd);
	printf("added %s with the 48-byte ioctl\n", ifname);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "refusals"))
		return cmd_refusals(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "read"))
		return cmd_read(argc - 2, argv + 2);
	if (argc == 4 && !strcmp(argv[1], "pollwait"))
		return cmd_pollwait(argv[2], atol(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "pollend"))
		return cmd_pollend(argv[2], atol(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "vmas"))
		return cmd_vmas(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "vlan"))
		return cmd_vlan(argv[2], atol(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "pcapinfo"))
		return cmd_pcapinfo(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "addv1"))
		return cmd_addv1(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "fakering"))
		return cmd_fakering(argv[2], argv[3]);
	if (argc == 2 && !strcmp(argv[1], "now")) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		printf("%llu\n", ts.tv_sec * 1000000000ULL + ts.tv_nsec);
		return 0;
	}
	fprintf(stderr, "usage: see the comment at the top of pktring-vmtest.c\n");
	return 2;
}
