// SPDX-License-Identifier: GPL-2.0
/*
 * A ring group: the rings one "pktring-ctl add" creates for an interface.
 * Either one ring that every CPU writes under its lock, or one ring per
 * possible CPU (--per-cpu), each written only by its CPU. Every member of
 * a per-CPU group carries the group's identity in its control page
 * (group_epoch, ring_index = the CPU, ring_count), so readers know which
 * rings belong together (include/uapi/pktring.h, "Ring groups").
 */
#include <linux/random.h>
#include <linux/slab.h>

#include "pktring_mod.h"

/*
 * count rings of size bytes of data each, in state INIT, with the group's
 * identity. NULL when memory runs out. May take long: called without rtnl.
 */
struct pktring_group *pktring_group_alloc(unsigned int count, bool per_cpu,
					  u64 size, u32 snaplen)
{
	struct pktring_group *group;
	u64 group_epoch = 0;
	unsigned int i;

	group = kzalloc(struct_size(group, rings, count), GFP_KERNEL);
	if (!group)
		return NULL;
	INIT_LIST_HEAD(&group->node);
	group->per_cpu = per_cpu;
	if (per_cpu) {
		/* below 2^53, as ring epochs: exact in a double */
		do {
			group_epoch = get_random_u64() &
				      GENMASK_ULL(PKTRING_EPOCH_BITS - 1, 0);
		} while (!group_epoch);
	}
	for (i = 0; i < count; i++) {
		struct pktring_ring *ring = pktring_ring_alloc(size, snaplen);

		if (!ring) {
			pktring_group_free(group);
			return NULL;
		}
		group->rings[group->count++] = ring;
		if (per_cpu) {
			ring->ctl->group_epoch = group_epoch;
			ring->ctl->ring_index = i;
			ring->ctl->ring_count = count;
			ring->ctl->flags |= PKTRING_F_BY_CPU;
		}
	}
	return group;
}

/* After the group was ended (or never started): its rings live on while mapped. */
void pktring_group_free(struct pktring_group *group)
{
	unsigned int i;

	for (i = 0; i < group->count; i++)
		pktring_ring_put(group->rings[i]);
	if (group->filter)
		bpf_prog_destroy(group->filter);
	kfree(group);
}

/* Stop capturing, then end every ring. Caller holds rtnl. */
void pktring_group_end(struct pktring_group *group)
{
	unsigned int i;

	pktring_capture_stop(group);	/* no hook runs after this */
	for (i = 0; i < group->count; i++)
		pktring_ring_end(group->rings[i]);
}
