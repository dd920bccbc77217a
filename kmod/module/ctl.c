// SPDX-License-Identifier: GPL-2.0
/*
 * The control device /dev/pktring-ctl: add and remove rings at run time,
 * and the netdevice notifier that ends a ring when its interface goes.
 * The list of rings is protected by rtnl, which also orders adding a ring
 * against its interface being unregistered.
 */
#include <linux/capability.h>
#include <linux/log2.h>
#include <linux/miscdevice.h>
#include <linux/nsproxy.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "pktring_mod.h"

static LIST_HEAD(pktring_rings);

static struct pktring_ring *pktring_find(const char *ifname)
{
	struct pktring_ring *ring;

	list_for_each_entry(ring, &pktring_rings, node)
		if (!strcmp(ring->ctl->ifname, ifname))
			return ring;
	return NULL;
}

/*
 * Stop capture, end the ring (after the last record) and drop the list's
 * reference. Caller holds rtnl.
 */
static void pktring_remove(struct pktring_ring *ring)
{
	list_del_init(&ring->node);
	pktring_capture_stop(ring);
	pktring_ring_end(ring);
	pktring_dev_remove(ring);
	pktring_ring_put(ring);
}

void pktring_remove_all(void)
{
	struct pktring_ring *ring, *tmp;

	rtnl_lock();
	list_for_each_entry_safe(ring, tmp, &pktring_rings, node)
		pktring_remove(ring);
	rtnl_unlock();
}

/* The classic BPF program from user space, checked by the kernel. */
static int pktring_filter_create(const struct pktring_ioc_add *a,
				 struct bpf_prog **prog)
{
	struct sock_fprog_kern fprog;
	struct sock_filter *insns;
	int err;

	*prog = NULL;
	if (!a->filter_len)
		return 0;
	if (a->filter_len > BPF_MAXINSNS)
		return -EINVAL;
	insns = memdup_user(u64_to_user_ptr(a->filter),
			    a->filter_len * sizeof(*insns));
	if (IS_ERR(insns))
		return PTR_ERR(insns);
	fprog.len = a->filter_len;
	fprog.filter = insns;
	err = bpf_prog_create(prog, &fprog);
	kfree(insns);
	return err;
}

static int pktring_add(struct pktring_ioc_add __user *uarg)
{
	struct pktring_ring *ring;
	struct net_device *netdev;
	struct pktring_ioc_add a;
	struct bpf_prog *filter;
	int linktype, err;
	kgid_t gid;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	a.ifname[PKTRING_IFNAMSIZ - 1] = '\0';
	if (!a.size)
		a.size = PKTRING_DEFAULT_SIZE;
	if (!a.snaplen)
		a.snaplen = PKTRING_DEFAULT_SNAPLEN;
	if (!a.mode)
		a.mode = PKTRING_DEFAULT_MODE;
	if (!is_power_of_2(a.size) || a.size < PKTRING_MIN_DATA_SIZE ||
	    a.size < PAGE_SIZE || a.size > PKTRING_MAX_SIZE)
		return -EINVAL;
	/* pktring_reserve() needs a record and its padding to fit */
	if (a.snaplen > PKTRING_MAX_SIZE ||
	    PKTRING_REC_ALIGN(PKTRING_REC_HDR_SIZE + (u64)a.snaplen) >
	    a.size / 2)
		return -EINVAL;
	if (a.mode & ~0666)
		return -EINVAL;
	if (a.flags & ~PKTRING_ADD_HWTSTAMP || a.reserved)
		return -EINVAL;
	gid = make_kgid(current_user_ns(), a.gid);
	if (!gid_valid(gid))
		return -EINVAL;
	err = pktring_filter_create(&a, &filter);
	if (err)
		return err;
	/* up to 1 GiB to allocate and zero: not under rtnl */
	ring = pktring_ring_alloc(a.size, a.snaplen);
	if (!ring) {
		if (filter)
			bpf_prog_destroy(filter);
		return -ENOMEM;
	}
	ring->filter = filter;
	ring->filter_len = a.filter_len;
	ring->mode = a.mode;
	ring->gid = gid;
	ring->hwtstamp = a.flags & PKTRING_ADD_HWTSTAMP;
	if (ring->hwtstamp)
		ring->ctl->flags |= PKTRING_F_HW_TSTAMP;

	rtnl_lock();
	/* the caller's network namespace, as for AF_PACKET */
	netdev = __dev_get_by_name(current->nsproxy->net_ns, a.ifname);
	if (!netdev) {
		err = -ENODEV;
		goto err_unlock;
	}
	linktype = pktring_linktype(netdev);
	if (linktype < 0) {
		err = linktype;
		goto err_unlock;
	}
	/* the ring is named after the interface, not an altname of it */
	if (pktring_find(netdev->name) ||
	    pktring_sysfs_name_taken(netdev->name)) {
		err = -EEXIST;
		goto err_unlock;
	}
	pktring_ring_set_source(ring, netdev, linktype);
	err = pktring_dev_add(ring);
	if (err)
		goto err_unlock;
	netdev_hold(netdev, &ring->dev_tracker, GFP_KERNEL);
	ring->netdev = netdev;
	pktring_capture_start(ring);
	pktring_ring_beat_start(ring);
	list_add_tail(&ring->node, &pktring_rings);
	rtnl_unlock();
	return 0;

err_unlock:
	rtnl_unlock();
	pktring_ring_put(ring);	/* frees the filter too */
	return err;
}

static int pktring_remove_ioctl(struct pktring_ioc_remove __user *uarg)
{
	struct pktring_ioc_remove r;
	struct pktring_ring *ring;

	if (copy_from_user(&r, uarg, sizeof(r)))
		return -EFAULT;
	r.ifname[PKTRING_IFNAMSIZ - 1] = '\0';
	rtnl_lock();
	ring = pktring_find(r.ifname);
	if (ring)
		pktring_remove(ring);
	rtnl_unlock();
	return ring ? 0 : -ENOENT;
}

static long pktring_ctl_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	switch (cmd) {
	case PKTRING_IOC_ADD:
		return pktring_add((void __user *)arg);
	case PKTRING_IOC_REMOVE:
		return pktring_remove_ioctl((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations pktring_ctl_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = pktring_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice pktring_ctl_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "pktring-ctl",
	.fops = &pktring_ctl_fops,
	.mode = 0600,
};

/* The interface goes away: its ring ends, readers keep their mappings. */
static int pktring_netdev_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct net_device *netdev = netdev_notifier_info_to_dev(ptr);
	struct pktring_ring *ring, *tmp;

	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	list_for_each_entry_safe(ring, tmp, &pktring_rings, node)
		if (ring->netdev == netdev)
			pktring_remove(ring);
	return NOTIFY_DONE;
}

struct notifier_block pktring_netdev_notifier = {
	.notifier_call = pktring_netdev_event,
};

int pktring_ctl_init(void)
{
	return misc_register(&pktring_ctl_dev);
}

void pktring_ctl_exit(void)
{
	misc_deregister(&pktring_ctl_dev);
}
