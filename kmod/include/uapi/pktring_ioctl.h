/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * Control interface of the pktring module: ioctls on /dev/pktring-ctl.
 * Used by kmod/tools/pktring-ctl.c. Rings are listed through sysfs
 * (/sys/class/pktring/<iface>/), so there is no list ioctl.
 */
#ifndef _UAPI_PKTRING_IOCTL_H
#define _UAPI_PKTRING_IOCTL_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/ioctl.h>
#else
#include <stdint.h>
#include <sys/ioctl.h>
#endif

#include "pktring.h"

#define PKTRING_CTL_DEVICE	"/dev/pktring-ctl"
#define PKTRING_SYSFS_CLASS	"/sys/class/pktring"

#define PKTRING_DEFAULT_SIZE	(16U << 20)	/* data area bytes */
#define PKTRING_DEFAULT_SNAPLEN	262144U		/* as tcpdump */
#define PKTRING_DEFAULT_MODE	0440
#define PKTRING_MAX_SIZE	0x40000000ULL	/* 1 GiB: vmalloc, keep it sane */
#define PKTRING_MAX_RINGS	4096	/* device minors: rings and members */

/*
 * Add a ring capturing interface ifname: /dev/pktring/<ifname>; or, with
 * PKTRING_ADD_PER_CPU, a group of one ring per possible CPU, member n at
 * /dev/pktring/<ifname>/<n> (each of size bytes). The module also takes
 * the first PKTRING_IOC_ADD_SIZE_V1 bytes alone (the struct before flags).
 */
struct pktring_ioc_add {
	char ifname[PKTRING_IFNAMSIZ];
	__u64 size;		/* data area bytes, power of two; 0: default */
	__u32 snaplen;		/* 0: PKTRING_DEFAULT_SNAPLEN */
	__u32 mode;		/* device file mode; 0: PKTRING_DEFAULT_MODE */
	__u32 gid;		/* device file group (init namespace) */
	__u32 filter_len;	/* classic BPF instructions; 0: no filter */
	__u64 filter;		/* user pointer to struct sock_filter[] */
	__u32 flags;		/* PKTRING_ADD_* */
	__u32 reserved;		/* 0 */
};

/*
 * Timestamp packets with the NIC's clock when it gives one (records get
 * PKTRING_RF_HW_TSTAMP, the ring PKTRING_F_HW_TSTAMP): NIC time, not
 * CLOCK_REALTIME unless the NIC's clock is synchronised to it (phc2sys).
 * Off by default: records hold the kernel's CLOCK_REALTIME.
 */
#define PKTRING_ADD_HWTSTAMP	0x1
#define PKTRING_ADD_PER_CPU	0x2	/* a ring per possible CPU (a group) */

/*
 * The struct before flags: the module still takes it (flags then 0), from
 * a pktring-ctl built before them.
 */
#define PKTRING_IOC_ADD_SIZE_V1	48

/* Remove the ring of interface ifname. */
struct pktring_ioc_remove {
	char ifname[PKTRING_IFNAMSIZ];
};

#define PKTRING_IOC_MAGIC	'P'
#define PKTRING_IOC_ADD		_IOW(PKTRING_IOC_MAGIC, 1, struct pktring_ioc_add)
#define PKTRING_IOC_REMOVE	_IOW(PKTRING_IOC_MAGIC, 2, \
				     struct pktring_ioc_remove)

#endif /* _UAPI_PKTRING_IOCTL_H */
