// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs, one value per file:
 *   /sys/class/pktring/<iface>/{ifindex,data_size,snaplen,epoch,...}
 *   /sys/class/pktring/<iface>/counters/<name>	(the control page counters)
 *   /sys/class/pktring/{live_rings,live_bytes}	(memory not yet returned)
 * A per-CPU group is a directory of its own with its members below it:
 *   /sys/class/pktring/<iface>/{ring_count,group_epoch,filter_insns}
 *   /sys/class/pktring/<iface>/counters/<name>	(the members' summed)
 *   /sys/class/pktring/<iface>:<n>/...		(member n, as a ring)
 * (Over 300 lines: a ring's attributes and a group's (counters folded).)
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

/*
 * Each attribute reads one field of the control page; var is the field's
 * byte offset (PKTRING_OFF_* of the ABI header).
 */
static ssize_t pktring_u64_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct dev_ext_attribute *ea =
		container_of(attr, struct dev_ext_attribute, attr);
	const u8 *ctl = (const u8 *)pktring_dev_ctl(dev);

	return sysfs_emit(buf, "%llu\n",
			  READ_ONCE(*(const u64 *)(ctl + (uintptr_t)ea->var)));
}

static ssize_t pktring_u32_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct dev_ext_attribute *ea =
		container_of(attr, struct dev_ext_attribute, attr);
	const u8 *ctl = (const u8 *)pktring_dev_ctl(dev);

	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(*(const u32 *)(ctl + (uintptr_t)ea->var)));
}

/* a control page field: sysfs name, PKTRING_OFF_ suffix, 32 or 64 bits */
#define PKTRING_FIELD_ATTR(_name, _off, _bits)				\
static struct dev_ext_attribute pktring_attr_##_name = {		\
	.attr = {							\
		.attr = { .name = #_name, .mode = 0444 },		\
		.show = pktring_u##_bits##_show,			\
	},								\
	.var = (void *)PKTRING_OFF_##_off,				\
}

/* a counter: ctl.counters[PKTRING_CTR_<_idx>] */
#define PKTRING_CTR_ATTR(_name, _idx)					\
static struct dev_ext_attribute pktring_ctr_##_name = {			\
	.attr = {							\
		.attr = { .name = #_name, .mode = 0444 },		\
		.show = pktring_u64_show,				\
	},								\
	.var = (void *)(PKTRING_OFF_COUNTERS + 8 * PKTRING_CTR_##_idx),	\
}

PKTRING_CTR_ATTR(seen, SEEN);
PKTRING_CTR_ATTR(captured, CAPTURED);
PKTRING_CTR_ATTR(bytes, BYTES);
PKTRING_CTR_ATTR(wire_bytes, WIRE_BYTES);
PKTRING_CTR_ATTR(filtered, FILTERED);
PKTRING_CTR_ATTR(truncated, TRUNCATED);
PKTRING_CTR_ATTR(reclaimed, RECLAIMED);
PKTRING_CTR_ATTR(drop_too_big, DROP_TOO_BIG);
PKTRING_CTR_ATTR(drop_nomem, DROP_NOMEM);
PKTRING_CTR_ATTR(drop_source, DROP_SOURCE);
PKTRING_CTR_ATTR(drop_invalid, DROP_INVALID);

/* one file per counter of the ABI (checked in pktring_sysfs_check()) */
static struct attribute *pktring_counter_attrs[] = {
	&pktring_ctr_seen.attr.attr,
	&pktring_ctr_captured.attr.attr,
	&pktring_ctr_bytes.attr.attr,
	&pktring_ctr_wire_bytes.attr.attr,
	&pktring_ctr_filtered.attr.attr,
	&pktring_ctr_truncated.attr.attr,
	&pktring_ctr_reclaimed.attr.attr,
	&pktring_ctr_drop_too_big.attr.attr,
	&pktring_ctr_drop_nomem.attr.attr,
	&pktring_ctr_drop_source.attr.attr,
	&pktring_ctr_drop_invalid.attr.attr,
	NULL
};

static const struct attribute_group pktring_counter_group = {
	.name = "counters",
	.attrs = pktring_counter_attrs,
};

/* Identity and positions of the ring, as in its control page. */
PKTRING_FIELD_ATTR(ifindex, IFINDEX, 32);
PKTRING_FIELD_ATTR(linktype, LINKTYPE, 32);
PKTRING_FIELD_ATTR(data_size, DATA_SIZE, 64);
PKTRING_FIELD_ATTR(snaplen, SNAPLEN, 32);
PKTRING_FIELD_ATTR(epoch, EPOCH, 64);
PKTRING_FIELD_ATTR(head, HEAD, 64);
PKTRING_FIELD_ATTR(reclaim, RECLAIM, 64);
PKTRING_FIELD_ATTR(seq_next, SEQ_NEXT, 64);
PKTRING_FIELD_ATTR(state, STATE, 32);
PKTRING_FIELD_ATTR(ring_index, RING_INDEX, 32);
PKTRING_FIELD_ATTR(ring_count, RING_COUNT, 32);
PKTRING_FIELD_ATTR(group_epoch, GROUP_EPOCH, 64);

static ssize_t filter_insns_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct pktring_ring *ring = dev_get_drvdata(dev);

	/* not ring->filter->len: the kernel converted the program to eBPF */
	return sysfs_emit(buf, "%u\n", ring->filter_len);
}
static DEVICE_ATTR_RO(filter_insns);

static struct attribute *pktring_ring_attrs[] = {
	&pktring_attr_ifindex.attr.attr,
	&pktring_attr_linktype.attr.attr,
	&pktring_attr_data_size.attr.attr,
	&pktring_attr_snaplen.attr.attr,
	&pktring_attr_epoch.attr.attr,
	&pktring_attr_head.attr.attr,
	&pktring_attr_reclaim.attr.attr,
	&pktring_attr_seq_next.attr.attr,
	&pktring_attr_state.attr.attr,
	&pktring_attr_ring_index.attr.attr,
	&pktring_attr_ring_count.attr.attr,
	&pktring_attr_group_epoch.attr.attr,
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

/*
 * A per-CPU group's counters: each member's are written by its CPU alone,
 * and folded here, when read. var is the counter's index.
 */
static ssize_t pktring_group_ctr_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	struct dev_ext_attribute *ea =
		container_of(attr, struct dev_ext_attribute, attr);
	struct pktring_group *group = dev_get_drvdata(dev);
	unsigned int i, idx = (uintptr_t)ea->var;
	u64 sum = 0;

	for (i = 0; i < group->count; i++)
		sum += READ_ONCE(group->rings[i]->ctl->counters[idx]);
	return sysfs_emit(buf, "%llu\n", sum);
}

#define PKTRING_GROUP_CTR_ATTR(_name, _idx)				\
static struct dev_ext_attribute pktring_group_ctr_##_name = {		\
	.attr = {							\
		.attr = { .name = #_name, .mode = 0444 },		\
		.show = pktring_group_ctr_show,				\
	},								\
	.var = (void *)PKTRING_CTR_##_idx,				\
}

PKTRING_GROUP_CTR_ATTR(seen, SEEN);
PKTRING_GROUP_CTR_ATTR(captured, CAPTURED);
PKTRING_GROUP_CTR_ATTR(bytes, BYTES);
PKTRING_GROUP_CTR_ATTR(wire_bytes, WIRE_BYTES);
PKTRING_GROUP_CTR_ATTR(filtered, FILTERED);
PKTRING_GROUP_CTR_ATTR(truncated, TRUNCATED);
PKTRING_GROUP_CTR_ATTR(reclaimed, RECLAIMED);
PKTRING_GROUP_CTR_ATTR(drop_too_big, DROP_TOO_BIG);
PKTRING_GROUP_CTR_ATTR(drop_nomem, DROP_NOMEM);
PKTRING_GROUP_CTR_ATTR(drop_source, DROP_SOURCE);
PKTRING_GROUP_CTR_ATTR(drop_invalid, DROP_INVALID);

static struct attribute *pktring_group_counter_attrs[] = {
	&pktring_group_ctr_seen.attr.attr,
	&pktring_group_ctr_captured.attr.attr,
	&pktring_group_ctr_bytes.attr.attr,
	&pktring_group_ctr_wire_bytes.attr.attr,
	&pktring_group_ctr_filtered.attr.attr,
	&pktring_group_ctr_truncated.attr.attr,
	&pktring_group_ctr_reclaimed.attr.attr,
	&pktring_group_ctr_drop_too_big.attr.attr,
	&pktring_group_ctr_drop_nomem.attr.attr,
	&pktring_group_ctr_drop_source.attr.attr,
	&pktring_group_ctr_drop_invalid.attr.attr,
	NULL
};

static const struct attribute_group pktring_group_counter_group = {
	.name = "counters",
	.attrs = pktring_group_counter_attrs,
};

/* The group's identity: every member has it in its control page. */
static ssize_t ring_count_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct pktring_group *group = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", group->count);
}
static DEVICE_ATTR_RO(ring_count);

static ssize_t group_epoch_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct pktring_group *group = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%llu\n", group->rings[0]->ctl->group_epoch);
}
static DEVICE_ATTR_RO(group_epoch);

static ssize_t group_filter_insns_show(struct device *dev,
				       struct device_attribute *attr, char *buf)
{
	struct pktring_group *group = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", group->rings[0]->filter_len);
}

static struct device_attribute dev_attr_group_filter_insns =
	__ATTR(filter_insns, 0444, group_filter_insns_show, NULL);

static struct attribute *pktring_group_attrs[] = {
	&dev_attr_ring_count.attr,
	&dev_attr_group_epoch.attr,
	&dev_attr_group_filter_insns.attr,
	NULL
};

static const struct attribute_group pktring_group_group = {
	.attrs = pktring_group_attrs,
};

const struct attribute_group *pktring_group_groups[] = {
	&pktring_group_group,
	&pktring_group_counter_group,
	NULL
};

void pktring_sysfs_check(void)
{
	BUILD_BUG_ON(ARRAY_SIZE(pktring_counter_attrs) - 1 != PKTRING_CTR_USED);
	BUILD_BUG_ON(ARRAY_SIZE(pktring_group_counter_attrs) - 1 !=
		     PKTRING_CTR_USED);
}

/* Module-wide: rings whose memory is still allocated, and its bytes. */
/* class attributes became const in 6.4 */
#if KERNEL_VERSION(6, 4, 0) <= LINUX_VERSION_CODE
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

/* A ring may not take the name of a class attribute: same directory. */
bool pktring_sysfs_name_taken(const char *name)
{
	struct attribute **attr;

	for (attr = pktring_class_attrs; *attr; attr++)
		if (!strcmp((*attr)->name, name))
			return true;
	return false;
}

static const struct attribute_group pktring_class_group = {
	.attrs = pktring_class_attrs,
};

const struct attribute_group *pktring_class_groups[] = {
	&pktring_class_group,
	NULL
};
