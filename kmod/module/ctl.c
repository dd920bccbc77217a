// SPDX-License-Identifier: GPL-2.0
/*
 * The control device /dev/pktring-ctl: add and remove rings at run time,
 * and the netdevice notifier that ends a ring when its interface goes.
 * The list of groups (what "add" made: one ring, or a per-CPU group) is
 * protected by rtnl, which also orders adding a ring against its interface
 * being unregistered.
 */
#include <linux/capability.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/miscdevice.h>
#include <linux/nsproxy.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "pktring_mod.h"

static LIST_HEAD(pktring_groups);

static struct pktring_group *pktring_find(const char *name)
{
	struct pktring_group *group;

	list_for_each_entry(group, &pktring_groups, node)
		if (!strcmp(group->name, name))
			return group;
	return NULL;
}

/* End the rings, remove their nodes, free the group. Caller holds rtnl. */
static void pktring_remove(struct pktring_group *group)
{
	list_del_init(&group->node);
	pktring_group_end(group);
	pktring_dev_remove(group);
	pktring_group_free(group);
}

void pktring_remove_all(void)
{
	struct pktring_group *group, *tmp;

	rtnl_lock();
	list_for_each_entry_safe(group, tmp, &pktring_groups, node)
		pktring_remove(group);
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

/* Can count rings of size data bytes be had at all? */
static bool pktring_fits(unsigned int count, u64 size)
{
	u64 pages = (PAGE_SIZE + size) >> PAGE_SHIFT;

	return pages * count <= totalram_pages();
}

static int pktring_add(void __user *uarg, size_t usize)
{
	struct pktring_group *group;
	struct net_device *netdev;
	struct pktring_ioc_add a;
	struct bpf_prog *filter;
	unsigned int i, count;
	int linktype, err;
	bool per_cpu;
	kgid_t gid;

	/* an older pktring-ctl passes a shorter struct: the rest is zero */
	if (usize < PKTRING_IOC_ADD_SIZE_V1)
		return -EINVAL;
	err = copy_struct_from_user(&a, sizeof(a), uarg, usize);
	if (err)
		return err;
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
	if (a.flags & ~(PKTRING_ADD_HWTSTAMP | PKTRING_ADD_PER_CPU) ||
	    a.reserved)
		return -EINVAL;
	per_cpu = a.flags & PKTRING_ADD_PER_CPU;
	count = per_cpu ? nr_cpu_ids : 1;
	if (!pktring_fits(count, a.size))
		return -ENOMEM;
	gid = make_kgid(current_user_ns(), a.gid);
	if (!gid_valid(gid))
		return -EINVAL;
	err = pktring_filter_create(&a, &filter);
	if (err)
		return err;
	/* up to 1 GiB per ring to allocate and zero: not under rtnl */
	group = pktring_group_alloc(count, per_cpu, a.size, a.snaplen);
	if (!group) {
		if (filter)
			bpf_prog_destroy(filter);
		return -ENOMEM;
	}
	group->filter = filter;
	group->hwtstamp = a.flags & PKTRING_ADD_HWTSTAMP;
	for (i = 0; i < count; i++) {
		group->rings[i]->filter_len = a.filter_len;
		group->rings[i]->mode = a.mode;
		group->rings[i]->gid = gid;
		if (group->hwtstamp)
			group->rings[i]->ctl->flags |= PKTRING_F_HW_TSTAMP;
	}

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
	strscpy(group->name, netdev->name, sizeof(group->name));
	for (i = 0; i < count; i++)
		pktring_ring_set_source(group->rings[i], netdev, linktype);
	err = pktring_dev_add(group);
	if (err)
		goto err_unlock;
	netdev_hold(netdev, &group->dev_tracker, GFP_KERNEL);
	group->netdev = netdev;
	pktring_capture_start(group);
	for (i = 0; i < count; i++)
		pktring_ring_beat_start(group->rings[i]);
	list_add_tail(&group->node, &pktring_groups);
	rtnl_unlock();
	return 0;

err_unlock:
	rtnl_unlock();
	pktring_group_free(group);	/* frees the filter too */
	return err;
}

static int pktring_remove_ioctl(struct pktring_ioc_remove __user *uarg)
{
	struct pktring_ioc_remove r;
	struct pktring_group *group;

	if (copy_from_user(&r, uarg, sizeof(r)))
		return -EFAULT;
	r.ifname[PKTRING_IFNAMSIZ - 1] = '\0';
	rtnl_lock();
	group = pktring_find(r.ifname);
	if (group)
		pktring_remove(group);
	rtnl_unlock();
	return group ? 0 : -ENOENT;
}

static long pktring_ctl_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	/* PKTRING_IOC_ADD of any size from PKTRING_IOC_ADD_SIZE_V1 on */
	if (_IOC_TYPE(cmd) == PKTRING_IOC_MAGIC && _IOC_NR(cmd) == 1 &&
	    _IOC_DIR(cmd) == _IOC_WRITE)
		return pktring_add((void __user *)arg, _IOC_SIZE(cmd));
	switch (cmd) {
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

/* The interface goes away: its rings end, readers keep their mappings. */
static int pktring_netdev_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct net_device *netdev = netdev_notifier_info_to_dev(ptr);
	struct pktring_group *group, *tmp;

	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	list_for_each_entry_safe(group, tmp, &pktring_groups, node)
		if (group->netdev == netdev)
			pktring_remove(group);
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
