// SPDX-License-Identifier: GPL-2.0
/*
 * The ring device /dev/pktring/<iface>, or /dev/pktring/<iface>/<n> for
 * member n of a per-CPU group: open, read-only mmap of the whole ring
 * (control page + data area) and poll(2). Every open file and every
 * mapping holds a reference to the ring, so its memory outlives removal
 * until the last reader unmaps.
 * (Over 300 lines: a ring's device and a group's devices (its members) together.)
 */
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/version.h>

#include "pktring_mod.h"

/* Minor number -> ring, for open(). */
static DEFINE_IDR(pktring_minors);
static DEFINE_MUTEX(pktring_minors_lock);

/* What one open file remembers: the head it last reported to poll. */
struct pktring_open_file {
	struct pktring_ring *ring;
	u64 polled_head;
};

/* The ring with this minor, with a reference, or NULL once removed. */
struct pktring_ring *pktring_dev_lookup(int minor)
{
	struct pktring_ring *ring;

	mutex_lock(&pktring_minors_lock);
	ring = idr_find(&pktring_minors, minor);
	if (ring)
		pktring_ring_get(ring);
	mutex_unlock(&pktring_minors_lock);
	return ring;
}

static int pktring_open(struct inode *inode, struct file *file)
{
	struct pktring_open_file *open_file;
	struct pktring_ring *ring;

	ring = pktring_dev_lookup(iminor(inode));
	if (!ring)
		return -ENODEV;
	open_file = kzalloc(sizeof(*open_file), GFP_KERNEL);
	if (!open_file) {
		pktring_ring_put(ring);
		return -ENOMEM;
	}
	open_file->ring = ring;
	file->private_data = open_file;
	return nonseekable_open(inode, file);
}

static int pktring_release(struct inode *inode, struct file *file)
{
	struct pktring_open_file *open_file = file->private_data;

	pktring_ring_put(open_file->ring);
	kfree(open_file);
	return 0;
}

/* Each mapping, including the halves of a split one, holds a reference. */
static void pktring_vm_open(struct vm_area_struct *vma)
{
	pktring_ring_get(vma->vm_private_data);
}

static void pktring_vm_close(struct vm_area_struct *vma)
{
	pktring_ring_put(vma->vm_private_data);
}

static const struct vm_operations_struct pktring_vm_ops = {
	.open = pktring_vm_open,
	.close = pktring_vm_close,
};

static int pktring_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct pktring_open_file *open_file = file->private_data;
	struct pktring_ring *ring = open_file->ring;
	unsigned long pages = ring->mem_size >> PAGE_SHIFT;
	int err;

	/*
	 * Readers never write, and packets are never code: no writable or
	 * executable mapping, now or by mprotect later.
	 */
	if (vma->vm_flags & (VM_WRITE | VM_EXEC))
		return -EPERM;
	if (vma->vm_pgoff >= pages || vma_pages(vma) > pages - vma->vm_pgoff)
		return -EINVAL;
#if KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
	vm_flags_clear(vma, VM_MAYWRITE | VM_MAYEXEC);
#else
	vma->vm_flags &= ~(VM_MAYWRITE | VM_MAYEXEC);
#endif
	err = remap_vmalloc_range(vma, ring->mem, vma->vm_pgoff);
	if (err)
		return err;
	vma->vm_ops = &pktring_vm_ops;
	vma->vm_private_data = ring;
	pktring_ring_get(ring);
	return 0;
}

/*
 * POLLIN when head moved since this file last reported it, POLLHUP once
 * the ring has ended (readers then drain up to head).
 */
static __poll_t pktring_poll(struct file *file, poll_table *wait)
{
	struct pktring_open_file *open_file = file->private_data;
	struct pktring_ctl *ctl = open_file->ring->ctl;
	__poll_t mask = 0;
	u64 head;

	poll_wait(file, &open_file->ring->wait, wait);
	/* pairs with the smp_mb() of wq_has_sleeper() in pktring_ring_wake() */
	smp_mb();
	head = smp_load_acquire(&ctl->head);	/* pairs with W5 */
	if (head != READ_ONCE(open_file->polled_head)) {
		WRITE_ONCE(open_file->polled_head, head);
		mask |= EPOLLIN | EPOLLRDNORM;
	}
	/* ENDED is stored (release) after the last publish */
	if (smp_load_acquire(&ctl->state) == PKTRING_STATE_ENDED)
		mask |= EPOLLHUP;
	return mask;
}

const struct file_operations pktring_ring_fops = {
	.owner = THIS_MODULE,
	.open = pktring_open,
	.release = pktring_release,
	.mmap = pktring_mmap,
	.poll = pktring_poll,
};

/*
 * devtmpfs: /dev/pktring/<iface>, or /dev/pktring/<iface>/<n> for a group
 * member (devtmpfs makes the directory and removes it once empty), with
 * the ring's mode and group.
 */
#if KERNEL_VERSION(6, 2, 0) <= LINUX_VERSION_CODE
static char *pktring_devnode(const struct device *dev, umode_t *mode,
			     kuid_t *uid, kgid_t *gid)
#else
static char *pktring_devnode(struct device *dev, umode_t *mode,
			     kuid_t *uid, kgid_t *gid)
#endif
{
	struct pktring_ring *ring = dev_get_drvdata(dev);
	const struct pktring_ctl *ctl = ring->ctl;

	if (mode)
		*mode = ring->mode;
	if (gid)
		*gid = ring->gid;
	if (ctl->group_epoch)
		return kasprintf(GFP_KERNEL, "pktring/%s/%u", ctl->ifname,
				 ctl->ring_index);
	return kasprintf(GFP_KERNEL, "pktring/%s", dev_name(dev));
}

static const struct device_type pktring_dev_type = {
	.name = "pktring",
	.devnode = pktring_devnode,
};

/* A per-CPU group in sysfs: no device node, its members below it. */
static const struct device_type pktring_group_type = {
	.name = "pktring-group",
};

static void pktring_dev_release(struct device *dev)
{
	kfree(dev);
}

/*
 * A device in the pktring class: a ring (with a minor) or a group (devt
 * 0). Freed by put_device() when device_add() fails.
 */
static struct device *pktring_dev_create(struct device *parent, dev_t devt,
					 const struct device_type *type,
					 const struct attribute_group **groups,
					 void *data)
{
	struct device *dev = kzalloc(sizeof(*dev), GFP_KERNEL);

	if (!dev)
		return NULL;
	device_initialize(dev);
	dev->class = &pktring_class;
	dev->parent = parent;
	dev->type = type;
	dev->devt = devt;
	dev->groups = groups;
	dev->release = pktring_dev_release;
	dev_set_drvdata(dev, data);
	return dev;
}

/*
 * Give the ring a minor, its device node and its sysfs directory: named
 * after the interface, or "<iface>:<n>" below its group (':' is in no
 * interface name, so a member never takes an interface's name).
 */
static int pktring_ring_dev_add(struct pktring_ring *ring,
				struct device *parent)
{
	struct device *dev;
	int minor, err;

	mutex_lock(&pktring_minors_lock);
	minor = idr_alloc(&pktring_minors, ring, 0, PKTRING_MAX_RINGS,
			  GFP_KERNEL);
	mutex_unlock(&pktring_minors_lock);
	if (minor < 0)
		return minor == -ENOSPC ? -EMFILE : minor;

	dev = pktring_dev_create(parent, MKDEV(MAJOR(pktring_devt), minor),
				 &pktring_dev_type, pktring_ring_groups, ring);
	if (!dev) {
		err = -ENOMEM;
		goto err_idr;
	}
	if (parent)
		err = dev_set_name(dev, "%s:%u", ring->ctl->ifname,
				   ring->ctl->ring_index);
	else
		err = dev_set_name(dev, "%s", ring->ctl->ifname);
	if (!err)
		err = device_add(dev);
	if (err) {
		put_device(dev);
		goto err_idr;
	}
	ring->minor = minor;
	ring->dev = dev;
	return 0;

err_idr:
	mutex_lock(&pktring_minors_lock);
	idr_remove(&pktring_minors, minor);
	mutex_unlock(&pktring_minors_lock);
	return err;
}

/* No new opens; files and mappings already made keep the ring. */
static void pktring_ring_dev_remove(struct pktring_ring *ring)
{
	if (!ring->dev)
		return;
	mutex_lock(&pktring_minors_lock);
	idr_remove(&pktring_minors, ring->minor);
	mutex_unlock(&pktring_minors_lock);
	device_unregister(ring->dev);	/* waits for sysfs readers */
	ring->dev = NULL;
}

/* The devices of a group: its ring's, or the group's and its members'. */
int pktring_dev_add(struct pktring_group *group)
{
	struct device *dev;
	unsigned int i;
	int err;

	if (!group->per_cpu)
		return pktring_ring_dev_add(group->rings[0], NULL);
	dev = pktring_dev_create(NULL, 0, &pktring_group_type,
				 pktring_group_groups, group);
	if (!dev)
		return -ENOMEM;
	err = dev_set_name(dev, "%s", group->name);
	if (!err)
		err = device_add(dev);
	if (err) {
		put_device(dev);
		return err;
	}
	group->dev = dev;
	for (i = 0; i < group->count; i++) {
		err = pktring_ring_dev_add(group->rings[i], dev);
		if (err) {
			pktring_dev_remove(group);
			return err;
		}
	}
	return 0;
}

void pktring_dev_remove(struct pktring_group *group)
{
	unsigned int i;

	for (i = 0; i < group->count; i++)
		pktring_ring_dev_remove(group->rings[i]);
	if (group->dev) {
		device_unregister(group->dev);
		group->dev = NULL;
	}
}
