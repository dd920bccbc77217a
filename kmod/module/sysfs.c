// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs, one value per file:
 *   /sys/class/pktring/<iface>/{ifindex,data_size,snaplen,epoch,...}
 *   /sys/class/pktring/<iface>/counters/<name>	(the control page counters)
 *   /sys/class/pktring/{live_rings,live_bytes}	(memory not yet returned)
 */
#include <linux/device.h>
#include <linux/sysfs.h>
#include <linux/version.h>

#include "pktring_mod.h"

static struct pktring_ctl *pktring_dev_ctl(struct device *dev)
{
	struct pktring_ring *ring = dev_get_drvdata(dev);

	return ring->ctl;
}

static ssize_t pktring_counter_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct dev_ext_attribute *ea =
		container_of(attr, struct dev_ext_attribute, attr);
	unsigned long idx = (unsigned long)ea->var;

	return sysfs_emit(buf, "%llu\n",
			  READ_ONCE(pktring_dev_ctl(dev)->counters[idx]));
}

#define PKTRING_CTR_ATTR(ctr, idx, str)				\
	static struct dev_ext_attribute pktring_ctr_##ctr = {		\
		.attr = {						\
			.attr = { .name = str, .mode = 0444 },		\
			.show = pktring_counter_show,			\
		},							\
		.var = (void *)(idx),					\
	};
PKTRING_COUNTERS(PKTRING_CTR_ATTR)
#undef PKTRING_CTR_ATTR

static struct attribute *pktring_counter_attrs[] = {
#define PKTRING_CTR_ATTR_PTR(ctr, idx, str) &pktring_ctr_##ctr.attr.attr,
	PKTRING_COUNTERS(PKTRING_CTR_ATTR_PTR)
#undef PKTRING_CTR_ATTR_PTR
	NULL
};

static const struct attribute_group pktring_counter_group = {
	.name = "counters",
	.attrs = pktring_counter_attrs,
};

/* Identity and positions of the ring, as in its control page. */
#define PKTRING_CTL_ATTR(field, fmt)					\
static ssize_t field##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, fmt "\n",				\
			  READ_ONCE(pktring_dev_ctl(dev)->field));	\
}									\
static DEVICE_ATTR_RO(field)

PKTRING_CTL_ATTR(ifindex, "%u");
PKTRING_CTL_ATTR(linktype, "%u");
PKTRING_CTL_ATTR(data_size, "%llu");
PKTRING_CTL_ATTR(snaplen, "%u");
PKTRING_CTL_ATTR(epoch, "%llu");
PKTRING_CTL_ATTR(head, "%llu");
PKTRING_CTL_ATTR(reclaim, "%llu");
PKTRING_CTL_ATTR(seq_next, "%llu");
PKTRING_CTL_ATTR(state, "%u");

static ssize_t filter_insns_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct pktring_ring *ring = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", ring->filter ? ring->filter->len : 0);
}
static DEVICE_ATTR_RO(filter_insns);

static struct attribute *pktring_ring_attrs[] = {
	&dev_attr_ifindex.attr,
	&dev_attr_linktype.attr,
	&dev_attr_data_size.attr,
	&dev_attr_snaplen.attr,
	&dev_attr_epoch.attr,
	&dev_attr_head.attr,
	&dev_attr_reclaim.attr,
	&dev_attr_seq_next.attr,
	&dev_attr_state.attr,
	&dev_attr_filter_insns.attr,
	NULL
};

static const struct attribute_group pktring_ring_group = {
	.attrs = pktring_ring_attrs,
};

const struct attribute_group *pktring_ring_groups[] = {
	&pktring_ring_group,
	&pktring_counter_group,
	NULL
};

/* Module-wide: rings whose memory is still allocated, and its bytes. */
/* class attributes became const in 6.4 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define PKTRING_CLASS_CONST const
#else
#define PKTRING_CLASS_CONST
#endif

static ssize_t live_rings_show(PKTRING_CLASS_CONST struct class *class,
			       PKTRING_CLASS_CONST struct class_attribute *attr,
			       char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&pktring_live_rings));
}
static CLASS_ATTR_RO(live_rings);

static ssize_t live_bytes_show(PKTRING_CLASS_CONST struct class *class,
			       PKTRING_CLASS_CONST struct class_attribute *attr,
			       char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&pktring_live_bytes));
}
static CLASS_ATTR_RO(live_bytes);

static struct attribute *pktring_class_attrs[] = {
	&class_attr_live_rings.attr,
	&class_attr_live_bytes.attr,
	NULL
};

static const struct attribute_group pktring_class_group = {
	.attrs = pktring_class_attrs,
};

const struct attribute_group *pktring_class_groups[] = {
	&pktring_class_group,
	NULL
};
