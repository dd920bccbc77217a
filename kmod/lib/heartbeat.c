// SPDX-License-Identifier: BSD-2-Clause
/*
 * The writer's heartbeat (include/uapi/pktring.h, Liveness): a thread that
 * increments ctl->heartbeat every PKTRING_HEARTBEAT_MS / 2 while the
 * writer process lives, whatever its main loop is blocked on (a pipe, a
 * pause). A writer killed with -9 stops beating, and its readers can tell
 * a quiet link from a dead writer.
 */
#include "libpktring.h"
#include "heartbeat.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

struct pktring_heartbeat {
	struct pktring_ctl *ctl;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* CLOCK_MONOTONIC */
	int stop;
};

static void *beat(void *arg)
{
	struct pktring_heartbeat *hb = arg;
	uint64_t n = PKTRING_READ_ONCE(hb->ctl->heartbeat);
	struct timespec due;

	pthread_mutex_lock(&hb->lock);
	clock_gettime(CLOCK_MONOTONIC, &due);
	while (!hb->stop) {
		PKTRING_STORE_RELEASE(&hb->ctl->heartbeat, ++n);
		due.tv_nsec += PKTRING_HEARTBEAT_MS / 2 * 1000000L;
		if (due.tv_nsec >= 1000000000L) {
			due.tv_sec++;
			due.tv_nsec -= 1000000000L;
		}
		while (!hb->stop &&
		       pthread_cond_timedwait(&hb->cond, &hb->lock, &due) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&hb->lock);
	return NULL;
}

struct pktring_heartbeat *pktring_heartbeat_start(struct pktring_ctl *ctl)
{
	struct pktring_heartbeat *hb = calloc(1, sizeof(*hb));
	pthread_condattr_t ca;
	sigset_t all, old;
	int err;

	if (!hb)
		return NULL;
	hb->ctl = ctl;
	pthread_mutex_init(&hb->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&hb->cond, &ca);
	pthread_condattr_destroy(&ca);
	/*
	 * The tools' signals (SIGINT, SIGTERM, SIGALRM...) must reach the
	 * main thread, which waits for them; faults stay deliverable here.
	 */
	sigfillset(&all);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&hb->thread, NULL, beat, hb);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		pthread_cond_destroy(&hb->cond);
		pthread_mutex_destroy(&hb->lock);
		free(hb);
		errno = err;
		return NULL;
	}
	return hb;
}

void pktring_heartbeat_stop(struct pktring_heartbeat *hb)
{
	if (!hb)
		return;
	pthread_mutex_lock(&hb->lock);
	hb->stop = 1;
	pthread_cond_signal(&hb->cond);
	pthread_mutex_unlock(&hb->lock);
	pthread_join(hb->thread, NULL);
	pthread_cond_destroy(&hb->cond);
	pthread_mutex_destroy(&hb->lock);
	free(hb);
}
