// SPDX-License-Identifier: GPL-2.0
/*
 * The capture hook: an ETH_P_ALL packet_type bound to one interface sees
 * every packet it receives and (through dev_queue_xmit_nit) every packet it
 * sends, as AF_PACKET does. Each packet is filtered, its VLAN tag put
 * back, cut to the snap length and written once: into the group's one
 * ring, or into the ring of the CPU that handles it.
 */
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/skbuff.h>
#include <linux/timekeeping.h>

#include "pktring_mod.h"

#define LINKTYPE_ETHERNET	1
#define LINKTYPE_RAW		101

/* The pcap link type of what the ring stores for netdev, or -EOPNOTSUPP. */
int pktring_linktype(const struct net_device *netdev)
{
	switch (netdev->type) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:
		return dev_has_header(netdev) ? LINKTYPE_ETHERNET : -EOPNOTSUPP;
	case ARPHRD_NONE:
		return dev_has_header(netdev) ? -EOPNOTSUPP : LINKTYPE_RAW;
	default:
		return -EOPNOTSUPP;
	}
}

/*
 * The NIC's time of a received packet, resolved as net/socket.c does:
 * since 5.18 the hardware timestamp shares its place with netdev_data, a
 * driver's pointer (igc, tsnep: SKBTX_HW_TSTAMP_NETDEV) that only the
 * driver's ndo_get_tstamp turns into a time. 0 when there is none.
 */
static ktime_t pktring_hwtstamp(struct sk_buff *skb,
				struct net_device *orig_dev)
{
	struct skb_shared_hwtstamps *hw = skb_hwtstamps(skb);

	if (!(skb_shinfo(skb)->tx_flags & SKBTX_HW_TSTAMP_NETDEV))
		return hw->hwtstamp;
	/* never the pointer itself */
	if (!orig_dev->netdev_ops->ndo_get_tstamp)
		return 0;
	return netdev_get_tstamp(orig_dev, hw, false);
}

static int pktring_rcv(struct sk_buff *skb, struct net_device *netdev,
		       struct packet_type *pt, struct net_device *orig_dev)
{
	struct pktring_group *group =
		container_of(pt, struct pktring_group, pt);
	/* bottom halves are disabled: the CPU cannot change under us */
	struct pktring_ring *ring = group->rings[group->per_cpu ?
						 smp_processor_id() : 0];
	struct pktring_ctl *ctl = ring->ctl;
	u8 *skb_head = skb->data;
	unsigned int skb_len = skb->len;
	struct pktring_rec meta = { 0 };
	unsigned int snap = ctl->snaplen;
	unsigned int res;
	ktime_t hwts = 0;
	__be16 tag[2];	/* TPID, TCI */
	const u8 *vlan = NULL;

	/* multicast looped back to us: not on the wire (as af_packet) */
	if (skb->pkt_type == PACKET_LOOPBACK)
		goto out;
	/* loopback: each packet comes back as incoming; keep that copy */
	if (skb->pkt_type == PACKET_OUTGOING && (netdev->flags & IFF_LOOPBACK))
		goto out;

	/* received frames start at the network header: include the link one */
	if (dev_has_header(netdev) && skb->pkt_type != PACKET_OUTGOING)
		skb_push(skb, skb->data - skb_mac_header(skb));

	if (group->filter) {
		res = bpf_prog_run_pin_on_cpu(group->filter, skb);
		if (res < snap)
			snap = res;
	} else {
		res = 1;
	}

	meta.origlen = skb->len;
	meta.caplen = min(skb->len, snap);
	/*
	 * The tag the kernel moved from the frame into the skb goes back in
	 * front of the ethertype, as af_packet reports it and libpcap
	 * re-inserts it for tcpdump: the TPID is skb->vlan_proto (0x88a8
	 * for QinQ's outer tag), and the snap length cuts after.
	 */
	if (skb_vlan_tag_present(skb) && ctl->linktype == LINKTYPE_ETHERNET &&
	    meta.caplen >= 2 * ETH_ALEN) {
		tag[0] = skb->vlan_proto;
		tag[1] = htons(skb_vlan_tag_get(skb));
		vlan = (const u8 *)tag;
		meta.origlen += VLAN_HLEN;
		meta.caplen = min(meta.caplen + VLAN_HLEN, ctl->snaplen);
	}
	if (meta.caplen < meta.origlen)
		meta.flags |= PKTRING_RF_TRUNCATED;
	/* the NIC's time only when the ring asked for it (received only) */
	if (group->hwtstamp && skb->pkt_type != PACKET_OUTGOING)
		hwts = pktring_hwtstamp(skb, orig_dev);
	if (hwts) {
		meta.ts_ns = ktime_to_ns(hwts);
		meta.flags |= PKTRING_RF_HW_TSTAMP;
	} else {
		meta.ts_ns = ktime_get_real_ns();
	}
	meta.ifindex = netdev->ifindex;
	meta.direction = skb->pkt_type == PACKET_OUTGOING ?
			 PKTRING_DIR_OUT : PKTRING_DIR_IN;
	meta.pkttype = skb->pkt_type;
	meta.protocol = (__force u16)skb->protocol;

	if (group->per_cpu) {
		/* this CPU's ring: its only writer, no lock */
		pktring_ring_offer(ring, skb, &meta, vlan, res != 0);
	} else {
		spin_lock(&ring->lock);
		pktring_ring_offer(ring, skb, &meta, vlan, res != 0);
		spin_unlock(&ring->lock);
	}

	skb->data = skb_head;
	skb->len = skb_len;
out:
	consume_skb(skb);
	return 0;
}

/* Attach the hook; the rings become LIVE. Caller holds rtnl. */
void pktring_capture_start(struct pktring_group *group)
{
	unsigned int i;

	group->pt.type = htons(ETH_P_ALL);
	group->pt.dev = group->netdev;
	group->pt.func = pktring_rcv;
	for (i = 0; i < group->count; i++) {
		/* identity written before readers may trust the ring */
		smp_store_release(&group->rings[i]->ctl->state,
				  PKTRING_STATE_LIVE);
	}
	dev_add_pack(&group->pt);
	group->capturing = true;
}

/* Detach the hook and wait until no CPU runs it. Caller holds rtnl. */
void pktring_capture_stop(struct pktring_group *group)
{
	if (!group->capturing)
		return;
	dev_remove_pack(&group->pt);	/* includes synchronize_net() */
	group->capturing = false;
	netdev_put(group->netdev, &group->dev_tracker);
	group->netdev = NULL;
}
