// SPDX-License-Identifier: GPL-2.0
/*
 * The ring object: memory laid out as include/uapi/pktring.h says, its
 * identity, its reference count and its end.
 * (Over 300 lines: the ring object, its writer and its batched wake-up.)
 */
#include <linux/if_vlan.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/timekeeping.h>
#include <linux/version.h>

#include "pktring_mod.h"

/*
 * W6 batched: readers asleep in poll(2) are woken this long after the
 * first record published since the last wake-up (the ABI allows up to
 * PKTRING_WAKE_MAX_DELAY_NS), so a busy ring takes one timer per period
 * instead of a wake-up and a full barrier per packet.
 */
#define PKTRING_WAKE_DELAY_NS	(250 * NSEC_PER_USEC)

/* Memory of rings not yet freed, ended ones still mapped included. */
atomic_t pktring_live_rings = ATOMIC_INIT(0);
atomic_long_t pktring_live_bytes = ATOMIC_LONG_INIT(0);

static void pktring_check_abi(void)
{
	BUILD_BUG_ON(sizeof(struct pktring_rec) != PKTRING_REC_HDR_SIZE);
	BUILD_BUG_ON(sizeof(struct pktring_ctl) > PKTRING_CTL_SIZE);
	BUILD_BUG_ON(PAGE_SIZE < PKTRING_CTL_SIZE);
	BUILD_BUG_ON(offsetof(struct pktring_ctl, ifname) != PKTRING_OFF_IFNAME);
	BUILD_BUG_ON(offsetof(struct pktring_ctl, ctr_count) !=
		     PKTRING_OFF_CTR_COUNT);
	BUILD_BUG_ON(offsetof(struct pktring_ctl, group_epoch) !=
		     PKTRING_OFF_GROUP_EPOCH);
	BUILD_BUG_ON(PKTRING_WAKE_DELAY_NS > PKTRING_WAKE_MAX_DELAY_NS);
	BUILD_BUG_ON(offsetof(struct pktring_ctl, head) != PKTRING_OFF_HEAD);
	BUILD_BUG_ON(offsetof(struct pktring_ctl, seq_next) !=
		     PKTRING_OFF_SEQ_NEXT);
	BUILD_BUG_ON(offsetof(struct pktring_ctl, heartbeat) !=
		     PKTRING_OFF_HEARTBEAT);
	BUILD_BUG_ON(offsetof(struct pktring_ctl, counters) !=
		     PKTRING_OFF_COUNTERS);
	BUILD_BUG_ON(offsetof(struct pktring_rec, protocol) !=
		     PKTRING_ROFF_PROTOCOL);
}

/*
 * Zeroed pages mapped with VM_USERMAP, which remap_vmalloc_range() needs to
 * hand them to user space. Not vmalloc_user(): its GFP_KERNEL would invoke
 * the OOM killer (and warn) for a ring of up to 1 GiB that does not fit, so
 * the pages are allocated as the BPF ring buffer's are, failing quietly.
 * They are charged to the memory cgroup of the process adding the ring
 * (__GFP_ACCOUNT), whose limit they then count against.
 */
static void *pktring_mem_alloc(struct pktring_ring *ring, size_t size)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_NOWARN |
			  __GFP_RETRY_MAYFAIL;
	unsigned long i, n = size >> PAGE_SHIFT;
	struct page **pages;
	void *mem;

	if (n > totalram_pages())
		return NULL;
	pages = kvmalloc_array(n, sizeof(*pages), gfp);
	if (!pages)
		return NULL;
	for (i = 0; i < n; i++) {
		if (fatal_signal_pending(current))
			goto err;
		pages[i] = alloc_page(gfp | __GFP_ZERO);
		if (!pages[i])
			goto err;
		cond_resched();
	}
	mem = vmap(pages, n, VM_MAP | VM_USERMAP, PAGE_KERNEL);
	if (!mem)
		goto err;
	ring->pages = pages;
	ring->nr_pages = n;
	return mem;

err:
	while (i--)
		__free_page(pages[i]);
	kvfree(pages);
	return NULL;
}

static void pktring_mem_free(struct pktring_ring *ring)
{
	unsigned long i;

	vunmap(ring->mem);
	for (i = 0; i < ring->nr_pages; i++)
		__free_page(ring->pages[i]);
	kvfree(ring->pages);
}

/*
 * Liveness (include/uapi/pktring.h): the kernel writer beats like any
 * other, every PKTRING_HEARTBEAT_MS / 2 while the ring is LIVE, so readers
 * follow one rule for every ring. The ring ends explicitly when removed.
 */
static void pktring_beat(struct work_struct *work)
{
	struct pktring_ring *ring = container_of(to_delayed_work(work),
						 struct pktring_ring, beat);
	struct pktring_ctl *ctl = ring->ctl;

	/* readers load it with acquire, as every writer field */
	smp_store_release(&ctl->heartbeat, ctl->heartbeat + 1);
	queue_delayed_work(system_power_efficient_wq, &ring->beat,
			   msecs_to_jiffies(PKTRING_HEARTBEAT_MS / 2));
}

void pktring_ring_beat_start(struct pktring_ring *ring)
{
	queue_delayed_work(system_power_efficient_wq, &ring->beat, 0);
}

/*
 * Softirq on the CPU that armed it. The lock orders this with the writers
 * of a shared ring: a record published after wake_armed was cleared arms
 * the timer again. A per-CPU ring's only writer runs on this CPU with
 * bottom halves disabled, so never at the same time as this.
 */
static enum hrtimer_restart pktring_wake_timer(struct hrtimer *timer)
{
	struct pktring_ring *ring =
		container_of(timer, struct pktring_ring, wake_timer);

	spin_lock(&ring->lock);
	WRITE_ONCE(ring->wake_armed, false);
	spin_unlock(&ring->lock);
	if (wq_has_sleeper(&ring->wait))	/* pairs with smp_mb() in poll */
		wake_up_interruptible_poll(&ring->wait, EPOLLIN | EPOLLRDNORM);
	return HRTIMER_NORESTART;
}

/*
 * A ring in state INIT, its source not yet set. size is the data area (a
 * power of two, checked by the caller); the memory is zeroed before it can
 * be mapped. May take long for a big ring: called without rtnl.
 */
struct pktring_ring *pktring_ring_alloc(u64 size, u32 snaplen)
{
	struct pktring_ring *ring;
	struct pktring_ctl *ctl;
	u64 epoch;

	pktring_check_abi();
	pktring_sysfs_check();
	ring = kzalloc(sizeof(*ring), GFP_KERNEL);
	if (!ring)
		return NULL;
	ring->mem_size = PAGE_SIZE + size;
	ring->mem = pktring_mem_alloc(ring, ring->mem_size);
	if (!ring->mem) {
		kfree(ring);
		return NULL;
	}
	kref_init(&ring->ref);
	spin_lock_init(&ring->lock);
	init_waitqueue_head(&ring->wait);
#if KERNEL_VERSION(6, 13, 0) <= LINUX_VERSION_CODE
	hrtimer_setup(&ring->wake_timer, pktring_wake_timer, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_PINNED_SOFT);
#else
	hrtimer_init(&ring->wake_timer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_REL_PINNED_SOFT);
	ring->wake_timer.function = pktring_wake_timer;
#endif
	INIT_DELAYED_WORK(&ring->beat, pktring_beat);
	ring->minor = -1;

	ctl = ring->mem;
	ring->ctl = ctl;
	ring->data = (u8 *)ring->mem + PAGE_SIZE;
	/* below 2^53: exact in a double, so JSON tools keep it */
	do {
		epoch = get_random_u64() &
			GENMASK_ULL(PKTRING_EPOCH_BITS - 1, 0);
	} while (!epoch);

	ctl->magic = PKTRING_MAGIC;
	ctl->abi_version = PKTRING_ABI_VERSION;
	ctl->rec_hdr_size = PKTRING_REC_HDR_SIZE;
	ctl->data_offset = PAGE_SIZE;
	ctl->data_size = size;
	ctl->epoch = epoch;
	ctl->created_ns = ktime_get_real_ns();
	ctl->snaplen = snaplen;
	ctl->flags = PKTRING_WAIT_POLL | PKTRING_F_HEARTBEAT;
	ctl->ring_index = 0;	/* pktring_group_alloc() sets a member's */
	ctl->ring_count = 1;
	ctl->max_record = pktring_rec_len(snaplen);
	ctl->ctr_count = PKTRING_CTR_USED;
	ctl->state = PKTRING_STATE_INIT;
	ring->wpos.size = size;
	ring->wpos.max_record = ctl->max_record;

	atomic_inc(&pktring_live_rings);
	atomic_long_add(ring->mem_size, &pktring_live_bytes);
	return ring;
}

/* The interface the ring captures, before it becomes visible. */
void pktring_ring_set_source(struct pktring_ring *ring,
			     const struct net_device *netdev, int linktype)
{
	struct pktring_ctl *ctl = ring->ctl;

	ctl->linktype = linktype;
	ctl->ifindex = netdev->ifindex;
	strscpy(ctl->ifname, netdev->name, sizeof(ctl->ifname));
}

static void pktring_ring_release(struct kref *ref)
{
	struct pktring_ring *ring = container_of(ref, struct pktring_ring, ref);

	cancel_delayed_work_sync(&ring->beat);
	atomic_long_sub(ring->mem_size, &pktring_live_bytes);
	atomic_dec(&pktring_live_rings);
	pktring_mem_free(ring);
	kfree(ring);
}

void pktring_ring_get(struct pktring_ring *ring)
{
	kref_get(&ring->ref);
}

void pktring_ring_put(struct pktring_ring *ring)
{
	kref_put(&ring->ref, pktring_ring_release);
}

/*
 * W6, batched: the first record published after a wake-up arms a timer on
 * the writing CPU; the timer wakes pollers. Called by the ring's writer.
 */
static void pktring_ring_wake_later(struct pktring_ring *ring)
{
	if (READ_ONCE(ring->wake_armed))
		return;
	WRITE_ONCE(ring->wake_armed, true);
	hrtimer_start(&ring->wake_timer, ns_to_ktime(PKTRING_WAKE_DELAY_NS),
		      HRTIMER_MODE_REL_PINNED_SOFT);
}

/*
 * Stop writing for good, once the caller has stopped capture (no hook
 * runs any more): readers see state ENDED after the last record
 * and are woken to drain and stop.
 */
void pktring_ring_end(struct pktring_ring *ring)
{
	cancel_delayed_work_sync(&ring->beat);
	hrtimer_cancel(&ring->wake_timer);
	/* after the last publish: readers drain up to head, then stop */
	smp_store_release(&ring->ctl->state, PKTRING_STATE_ENDED);
	wake_up_interruptible_all(&ring->wait);
}

/*
 * The caplen bytes of the frame: the skb's, with a VLAN tag (VLAN_HLEN
 * bytes, or NULL) put back after the MAC addresses.
 */
static int pktring_copy_frame(const struct sk_buff *skb, u8 *dst, u32 caplen,
			      const u8 *tag)
{
	u32 head, n;

	if (!tag)
		return skb_copy_bits(skb, 0, dst, caplen);
	head = min_t(u32, caplen, 2 * ETH_ALEN);
	if (skb_copy_bits(skb, 0, dst, head))
		return -EFAULT;
	n = min_t(u32, caplen - head, VLAN_HLEN);
	memcpy(dst + head, tag, n);
	if (caplen == head + n)
		return 0;
	return skb_copy_bits(skb, head, dst + head + n, caplen - head - n);
}

/*
 * Write one packet record (W1-W5). Returns false when the record does not
 * fit (counted as drop_too_big).
 */
static bool pktring_ring_write(struct pktring_ring *ring,
			       const struct sk_buff *skb,
			       const struct pktring_rec *meta,
			       const u8 *vlan_tag)
{
	struct pktring_ctl *ctl = ring->ctl;
	struct pktring_rec *rec, copied = *meta;
	u64 end;

	rec = pktring_reserve(ctl, &ring->wpos, ring->data, meta, &end);
	if (!rec) {
		ctl->counters[PKTRING_CTR_DROP_TOO_BIG]++;
		return false;
	}
	/* cannot fail: caplen <= skb->len (+ the tag), checked by the caller */
	if (pktring_copy_frame(skb, (u8 *)(rec + 1), meta->caplen, vlan_tag)) {
		ctl->counters[PKTRING_CTR_DROP_INVALID]++;
		rec->caplen = 0;
		copied.caplen = 0;
	}
	if (meta->flags & PKTRING_RF_TRUNCATED)
		ctl->counters[PKTRING_CTR_TRUNCATED]++;
	pktring_publish(ctl, &ring->wpos, &copied, end);
	return true;
}

/*
 * A packet offered to the ring by its writer (under the ring's lock, or
 * on the ring's own CPU): counted as seen, then filtered out (pass false)
 * or written. Returns whether it was written.
 */
bool pktring_ring_offer(struct pktring_ring *ring, const struct sk_buff *skb,
			const struct pktring_rec *meta, const u8 *vlan_tag,
			bool pass)
{
	struct pktring_ctl *ctl = ring->ctl;

	ctl->counters[PKTRING_CTR_SEEN]++;
	if (!pass) {
		ctl->counters[PKTRING_CTR_FILTERED]++;
		return false;
	}
	if (!pktring_ring_write(ring, skb, meta, vlan_tag))
		return false;
	pktring_ring_wake_later(ring);
	return true;
}
