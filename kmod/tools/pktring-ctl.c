// SPDX-License-Identifier: BSD-2-Clause
// Over 300 lines: add, remove and list (rings and per-CPU groups) of one control tool.
/*
 * pktring-ctl: add, remove and list the kernel module's rings.
 *
 *   pktring-ctl add IFACE [--size BYTES[K|M|G]] [--snaplen N]
 *                         [--filter 'EXPR'] [--mode OCTAL] [--group GID]
 *                         [--hwtstamp] [--per-cpu]
 *   pktring-ctl remove IFACE
 *   pktring-ctl list
 *
 * --per-cpu makes a ring group: one ring of --size per possible CPU, ring n
 * holding what CPU n handled, at /dev/pktring/IFACE/n.
 *
 * Filters are compiled by libpcap on a handle activated on the interface,
 * exactly as tcpdump's are (../lib/pcap_filter.h: "vlan 100" tests the tag
 * the kernel holds aside, which is what the module's filter sees).
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pcap/pcap.h>

#include "../lib/pcap_filter.h"
#include "../include/uapi/pktring_ioctl.h"

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: pktring-ctl add IFACE [--size BYTES[K|M|G]] [--snaplen N]\n"
		"                   [--filter EXPR] [--mode OCTAL] [--group GID|NAME]\n"
		"                   [--hwtstamp] [--per-cpu]\n"
		"       pktring-ctl remove IFACE\n"
		"       pktring-ctl list\n"
		"       pktring-ctl -h|--help\n\n"
		"Adds, removes and lists the kernel module's rings (/dev/pktring/IFACE).\n"
		"--per-cpu: a ring group, one ring of --size per possible CPU\n"
		"(/dev/pktring/IFACE/N holds what CPU N handled).\n"
		"The filter is tcpdump syntax, compiled by libpcap.\n\n"
		"Exit status: 0 done, 1 error, 2 usage.\n");
}

static void usage(void)
{
	print_usage(stderr);
	exit(2);
}

/* bytes, with k/M/G; never a silent wrap, never below zero */
static unsigned long long parse_size(const char *opt, const char *s,
				     unsigned long long max)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end || end == s || errno || *s == '-' || *s == '+' ||
	    v > max >> shift) {
		fprintf(stderr, "pktring-ctl: bad %s '%s' (at most %llu)\n", opt, s, max);
		exit(2);
	}
	return v << shift;
}

static unsigned long parse_number(const char *opt, const char *s, int base,
				  unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, base);
	if (*end || end == s || errno || *s == '-' || *s == '+' || v > max) {
		fprintf(stderr, "pktring-ctl: bad %s '%s'\n", opt, s);
		exit(2);
	}
	return v;
}

/* Exits unless the module captures ifname (see capture.c); its DLT. */
static int iface_linktype(const char *ifname)
{
	char path[128];
	FILE *f;
	int type = -1;

	snprintf(path, sizeof(path), "/sys/class/net/%s/type", ifname);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "pktring-ctl: no interface '%s'\n", ifname);
		exit(1);
	}
	if (fscanf(f, "%d", &type) != 1)
		type = -1;
	fclose(f);
	if (type == 1 || type == 772)	/* ARPHRD_ETHER, ARPHRD_LOOPBACK */
		return DLT_EN10MB;
	if (type == 65534)		/* ARPHRD_NONE */
		return DLT_RAW;
	fprintf(stderr, "pktring-ctl: interface '%s' has link type %d, "
		"which pktring does not capture\n", ifname, type);
	exit(1);
}

static int ctl_open(void)
{
	int fd = open(PKTRING_CTL_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "pktring-ctl: %s: %s (is the module loaded?)\n",
			PKTRING_CTL_DEVICE, strerror(errno));
		exit(1);
	}
	return fd;
}

/* A group's member devices, one path a line (ring_count from sysfs). */
static void print_members(const char *ifname)
{
	char path[128];
	unsigned int i, n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/ring_count", PKTRING_SYSFS_CLASS,
		 ifname);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%u", &n) != 1)
		fprintf(stderr, "pktring-ctl: %s: cannot read the group's size\n",
			path);
	if (f)
		fclose(f);
	for (i = 0; i < n; i++)
		printf("/dev/pktring/%s/%u\n", ifname, i);
}

static int cmd_add(int argc, char **argv)
{
	struct pktring_ioc_add a = { 0 };
	struct bpf_program prog = { 0 };
	const char *filter = NULL;
	int i, fd;

	if (argc < 1 || strlen(argv[0]) >= sizeof(a.ifname))
		usage();
	strcpy(a.ifname, argv[0]);
	for (i = 1; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(opt, "--hwtstamp")) {
			a.flags |= PKTRING_ADD_HWTSTAMP;
			continue;
		}
		if (!strcmp(opt, "--per-cpu")) {
			a.flags |= PKTRING_ADD_PER_CPU;
			continue;
		}
		if (!val)
			usage();
		if (!strcmp(opt, "--size"))
			a.size = parse_size(opt, val, PKTRING_MAX_SIZE);
		else if (!strcmp(opt, "--snaplen"))
			a.snaplen = parse_size(opt, val, UINT32_MAX);
		else if (!strcmp(opt, "--filter"))
			filter = val;
		else if (!strcmp(opt, "--mode"))
			a.mode = parse_number(opt, val, 8, 0666);
		else if (!strcmp(opt, "--group")) {
			struct group *g = getgrnam(val);

			a.gid = g ? g->gr_gid : parse_number(opt, val, 10, UINT32_MAX - 1);
		} else {
			usage();
		}
		i++;
	}
	if (filter) {
		int snap = a.snaplen ? a.snaplen : PKTRING_DEFAULT_SNAPLEN;
		char err[PCAP_ERRBUF_SIZE + 256];

		iface_linktype(a.ifname);	/* one the module captures */
		if (pktring_compile_filter(a.ifname, snap, filter, &prog, err,
					   sizeof(err))) {
			fprintf(stderr, "pktring-ctl: %s\n", err);
			return 1;
		}
		a.filter_len = prog.bf_len;
		a.filter = (uintptr_t)prog.bf_insns;
	}
	fd = ctl_open();
	if (ioctl(fd, PKTRING_IOC_ADD, &a)) {
		int e = errno;

		fprintf(stderr, "pktring-ctl: add %s: %s%s%s\n", a.ifname,
			strerror(e), e == EINVAL ?
			" (size: power of two, >= 2 * (40 + snaplen), <= 1G)" :
			"", e == ENOMEM && a.flags & PKTRING_ADD_PER_CPU ?
			" (a per-CPU group takes --size for every possible CPU)" :
			"");
		return 1;
	}
	pcap_freecode(&prog);
	close(fd);
	if (a.flags & PKTRING_ADD_PER_CPU)
		print_members(a.ifname);
	else
		printf("/dev/pktring/%s\n", a.ifname);
	return 0;
}

static int cmd_remove(int argc, char **argv)
{
	struct pktring_ioc_remove r = { 0 };
	int fd;

	if (argc != 1 || strlen(argv[0]) >= sizeof(r.ifname))
		usage();
	strcpy(r.ifname, argv[0]);
	fd = ctl_open();
	if (ioctl(fd, PKTRING_IOC_REMOVE, &r)) {
		fprintf(stderr, "pktring-ctl: remove %s: %s\n", r.ifname,
			strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}

static void print_attr(const char *dir, const char *name)
{
	char path[512], buf[64] = "?";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			strcpy(buf, "?");
		buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
	printf(" %s=%s", strchr(name, '/') ? strchr(name, '/') + 1 : name,
	       buf);
}

static int not_dot(const struct dirent *e)
{
	return e->d_name[0] != '.' && strncmp(e->d_name, "live_", 5);
}

/*
 * One line per ring; a per-CPU group "IFACE" is a line with its summed
 * counters, followed by its members "IFACE:N".
 */
static int cmd_list(void)
{
	static const char *const ring_attrs[] = {
		"data_size", "snaplen", "filter_insns", "state", "head",
#define PKTRING_CTR_NAME(ctr, idx, str) "counters/" str,
		PKTRING_COUNTERS(PKTRING_CTR_NAME)
#undef PKTRING_CTR_NAME
	};
	static const char *const group_attrs[] = {
		"ring_count", "group_epoch", "filter_insns",
#define PKTRING_CTR_NAME(ctr, idx, str) "counters/" str,
		PKTRING_COUNTERS(PKTRING_CTR_NAME)
#undef PKTRING_CTR_NAME
	};
	struct dirent **e;
	int i, n;
	size_t j;

	n = scandir(PKTRING_SYSFS_CLASS, &e, not_dot, versionsort);
	if (n < 0) {
		fprintf(stderr, "pktring-ctl: %s: %s (is the module loaded?)\n",
			PKTRING_SYSFS_CLASS, strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		char dir[300], probe[320];
		int member = strchr(e[i]->d_name, ':') != NULL;
		int group;

		snprintf(dir, sizeof(dir), "%s/%s", PKTRING_SYSFS_CLASS,
			 e[i]->d_name);
		snprintf(probe, sizeof(probe), "%s/data_size", dir);
		group = access(probe, F_OK) != 0;
		printf("%s%s%s", member ? "  " : "", e[i]->d_name,
		       group ? " group" : "");
		if (group) {
			for (j = 0; j < sizeof(group_attrs) / sizeof(group_attrs[0]); j++)
				print_attr(dir, group_attrs[j]);
		} else {
			if (member)
				print_attr(dir, "ring_index");
			for (j = 0; j < sizeof(ring_attrs) / sizeof(ring_attrs[0]); j++)
				print_attr(dir, ring_attrs[j]);
		}
		printf("\n");
		free(e[i]);
	}
	free(e);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		print_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "add"))
		return cmd_add(argc - 2, argv + 2);
	if (!strcmp(argv[1], "remove"))
		return cmd_remove(argc - 2, argv + 2);
	if (!strcmp(argv[1], "list") && argc == 2)
		return cmd_list();
	usage();
	return 2;
}
