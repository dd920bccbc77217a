/* SPDX-License-Identifier: BSD-2-Clause */
/* The writer's heartbeat thread (heartbeat.c). */
#ifndef PKTRING_HEARTBEAT_H
#define PKTRING_HEARTBEAT_H

struct pktring_ctl;
struct pktring_heartbeat;

/* Beat ctl->heartbeat from a thread of its own; NULL with errno. */
struct pktring_heartbeat *pktring_heartbeat_start(struct pktring_ctl *ctl);
/* Stop beating (the ring keeps its last value). NULL is a no-op. */
void pktring_heartbeat_stop(struct pktring_heartbeat *hb);

#endif
