/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pktring module internals: the ring object and the functions the parts of
 * the module (control device, capture hook, ring device, sysfs) share.
 */
#ifndef _PKTRING_MOD_H
#define _PKTRING_MOD_H

#include <linux/kref.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/device.h>
#include <linux/filter.h>
#include <linux/hrtimer.h>

#include "../include/uapi/pktring.h"

/*
 * The barriers of pktring_ring.h, kernel flavour: the pairs W3/R2, W3/R4
 * and W5/R1 are documented in include/uapi/pktring.h.
 */
/* R1, R2: acquire pairs with the writer's release */
#define PKTRING_LOAD_ACQUIRE(p)		smp_load_acquire(p)
/* W5: head after the record, pairs with R1; W3: reclaim, with R2 */
#define PKTRING_STORE_RELEASE(p, v)	smp_store_release(p, v)
#define PKTRING_READ_ONCE(x)		READ_ONCE(x)
#define PKTRING_WRITE_ONCE(x, v)	WRITE_ONCE(x, v)
/* W3: reclaim visible before overwriting, pairs with R4 */
#define PKTRING_WMB()			smp_wmb()
/* R4: re-read reclaim after the copy, pairs with W3 */
#define PKTRING_RMB()			smp_rmb()
#include "../include/pktring_ring.h"
#include "../include/uapi/pktring_ioctl.h"

/*
 * One ring. Its memory (control page + data area) lives until the last
 * reference goes: its group holds one while capturing, each open file and
 * each mapping of the ring holds one. Removing a ring or losing its
 * interface only ends it (capture stopped, state ENDED, node removed).
 */
struct pktring_ring {
	struct kref ref;
	int minor;

	void *mem;			/* vmap of pages: ctl page + data */
	size_t mem_size;
	struct page **pages;
	unsigned long nr_pages;
	struct pktring_ctl *ctl;
	u8 *data;

	spinlock_t lock;		/* the writers of a shared ring */
	struct pktring_wpos wpos;	/* its positions, its writer's */
	wait_queue_head_t wait;		/* poll(2) */
	struct hrtimer wake_timer;	/* W6, batched */
	bool wake_armed;		/* wake_timer pending */
	struct delayed_work beat;	/* ctl->heartbeat while LIVE */

	u32 filter_len;			/* classic instructions given */
	struct device *dev;		/* /dev/pktring/<iface>[/<n>], sysfs */
	umode_t mode;
	kgid_t gid;
};

/*
 * What one "pktring-ctl add" made: the capture of one interface into one
 * ring shared by every CPU (writers serialised by the ring's lock), or
 * into a per-CPU group, one ring per possible CPU, each written only by
 * its CPU with bottom halves disabled (no lock). The hook, the filter and
 * the interface belong to the group; the group lives until removal, its
 * rings as long as readers map them.
 */
struct pktring_group {
	struct list_head node;		/* in pktring_groups, under rtnl */
	char name[IFNAMSIZ];		/* the interface's when added */
	struct net_device *netdev;	/* held while capturing */
	netdevice_tracker dev_tracker;	/* that reference */
	bool hwtstamp;			/* NIC timestamps asked for */
	struct packet_type pt;
	struct bpf_prog *filter;	/* NULL: capture everything */
	bool capturing;
	bool per_cpu;			/* rings[cpu]; else rings[0], shared */
	struct device *dev;		/* sysfs of a per-CPU group */
	unsigned int count;
	struct pktring_ring *rings[];	/* count of them */
};

/* main.c */
extern struct class pktring_class;
extern dev_t pktring_devt;

/* ring.c */
struct pktring_ring *pktring_ring_alloc(u64 size, u32 snaplen);
void pktring_ring_set_source(struct pktring_ring *ring,
			     const struct net_device *netdev, int linktype);
void pktring_ring_get(struct pktring_ring *ring);
void pktring_ring_put(struct pktring_ring *ring);
void pktring_ring_end(struct pktring_ring *ring);
void pktring_ring_beat_start(struct pktring_ring *ring);
bool pktring_ring_offer(struct pktring_ring *ring, const struct sk_buff *skb,
			const struct pktring_rec *meta, const u8 *vlan_tag,
			bool pass);
extern atomic_t pktring_live_rings;
extern atomic_long_t pktring_live_bytes;

/* group.c */
struct pktring_group *pktring_group_alloc(unsigned int count, bool per_cpu,
					  u64 size, u32 snaplen);
void pktring_group_free(struct pktring_group *group);
void pktring_group_end(struct pktring_group *group);

/* capture.c */
int pktring_linktype(const struct net_device *netdev);
void pktring_capture_start(struct pktring_group *group);
void pktring_capture_stop(struct pktring_group *group);

/* dev.c */
int pktring_dev_add(struct pktring_group *group);
void pktring_dev_remove(struct pktring_group *group);
struct pktring_ring *pktring_dev_lookup(int minor);
extern const struct file_operations pktring_ring_fops;

/* ctl.c */
int pktring_ctl_init(void);
void pktring_ctl_exit(void);
void pktring_remove_all(void);
extern struct notifier_block pktring_netdev_notifier;

/* sysfs.c */
void pktring_sysfs_check(void);
bool pktring_sysfs_name_taken(const char *name);
extern const struct attribute_group *pktring_ring_groups[];
extern const struct attribute_group *pktring_group_groups[];
extern const struct attribute_group *pktring_class_groups[];

#endif /* _PKTRING_MOD_H */
