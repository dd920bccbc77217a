// SPDX-License-Identifier: BSD-2-Clause
/*
 * Where a ring lives, and whether to trust it: ring names, the directory
 * check, and opening the ring file without following a link or blocking on
 * a FIFO. The rules are in libpktring.h (Ring names, Trust).
 */
#include "libpktring.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int say(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* root, or the user running the tool */
static int trusted_uid(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

static const char *file_type(mode_t m)
{
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISCHR(m))
		return "a character device";
	return "a regular file";
}

int pktring_device_major(void)
{
	char line[128], name[64];
	int major = -1, m, chr = 0;
	FILE *f = fopen("/proc/devices", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Character devices:", 18))
			chr = 1;
		else if (!strncmp(line, "Block devices:", 14))
			chr = 0;
		else if (chr && sscanf(line, "%d %63s", &m, name) == 2 &&
			 !strcmp(name, "pktring"))
			major = m;
	}
	fclose(f);
	return major;
}

/* A bare NAME: one path component a writer can also make NAME.new.PID of. */
static int bad_name(const char *name)
{
	return !*name || !strcmp(name, ".") || !strcmp(name, "..") ||
	       strlen(name) > NAME_MAX - 20;
}

/*
 * The directory check (libpktring.h, Trust): owned by root or us, and not
 * writable by group or others unless sticky.
 */
static int check_dir(struct pktring_place *pl, const char *dir, char *err,
		     size_t len)
{
	struct stat st;

	if (fstat(pl->dirfd, &st) != 0)
		return say(err, len, "%s: %s", dir, strerror(errno));
	if (!trusted_uid(st.st_uid))
		return say(err, len, "directory %s is owned by uid %u, not by root or you (uid %u): refusing it, a ring there could be replaced by its owner",
			   dir, (unsigned int)st.st_uid, (unsigned int)geteuid());
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		if (!(st.st_mode & S_ISVTX))
			return say(err, len, "directory %s is writable by %s (mode %04o) and not sticky: refusing it, a ring there could be replaced",
				   dir, st.st_mode & S_IWOTH ? "others" : "its group",
				   (unsigned int)(st.st_mode & 07777));
		pl->shared_dir = 1;
	}
	return 0;
}

/* Make /dev/shm/pktring: ours, mode 0750, the ring's group. */
static void make_shm_dir(const struct pktring_perm *perm)
{
	int fd;

	if (mkdir(PKTRING_SHM_DIR, PKTRING_SHM_DIR_MODE) != 0)
		return;		/* exists (checked next) or cannot be made */
	fd = open(PKTRING_SHM_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	if (perm && perm->set_gid && fchown(fd, -1, perm->gid) != 0)
		perror("pktring: " PKTRING_SHM_DIR);
	fchmod(fd, PKTRING_SHM_DIR_MODE);	/* whatever the umask */
	close(fd);
}

int pktring_place_open(struct pktring_place *pl, const char *ring,
		       enum pktring_role role, const struct pktring_perm *perm,
		       char *err, size_t len)
{
	char dir[PATH_MAX];
	const char *slash;
	struct stat st;

	memset(pl, 0, sizeof(*pl));
	pl->dirfd = -1;
	if (strlen(ring) >= sizeof(pl->path))
		return say(err, len, "ring argument of %zu bytes is longer than PATH_MAX (%zu)",
			   strlen(ring), sizeof(pl->path) - 1);
	if (!strchr(ring, '/')) {
		if (bad_name(ring))
			return say(err, len, "'%s' is not a ring name (one path component of at most %d bytes)",
				   ring, NAME_MAX - 20);
		snprintf(pl->path, sizeof(pl->path), "%s/%.255s", PKTRING_DEV_DIR, ring);
		if (lstat(pl->path, &st) == 0 && role == PKTRING_FOR_WRITER)
			return say(err, len, "the kernel module has a ring %s: readers of '%s' would read that one; give the shared-memory ring another name or a path",
				   pl->path, ring);
		if (role == PKTRING_FOR_WRITER || lstat(pl->path, &st) != 0)
			snprintf(pl->path, sizeof(pl->path), "%s/%.255s", PKTRING_SHM_DIR, ring);
		if (role == PKTRING_FOR_WRITER)
			make_shm_dir(perm);
	} else {
		snprintf(pl->path, sizeof(pl->path), "%s", ring);
	}

	slash = strrchr(pl->path, '/');
	pl->name = slash + 1;
	if (bad_name(pl->name))
		return say(err, len, "%s: does not end in a ring's file name", pl->path);
	if (slash == pl->path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - pl->path), pl->path);
	pl->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pl->dirfd < 0)
		return say(err, len, "directory %s: %s", dir, strerror(errno));
	if (check_dir(pl, dir, err, len)) {
		pktring_place_close(pl);
		return -1;
	}
	return 0;
}

int pktring_place_open_ring(const struct pktring_place *pl, int oflags,
			    struct stat *st, char *err, size_t len)
{
	struct stat pre;
	int fd, dev_major;

	if (fstatat(pl->dirfd, pl->name, &pre, AT_SYMLINK_NOFOLLOW) != 0)
		return say(err, len, "%s", strerror(errno));
	if (S_ISCHR(pre.st_mode) && (oflags & O_ACCMODE) == O_RDONLY) {
		dev_major = pktring_device_major();
		if (dev_major < 0 || (int)major(pre.st_rdev) != dev_major) {
			errno = ENODEV;
			return say(err, len, "is a character device, but not the pktring module's (major %u; the module is %s)",
				   major(pre.st_rdev), dev_major < 0 ? "not loaded" : "another");
		}
	} else if (!S_ISREG(pre.st_mode)) {
		errno = EINVAL;
		return say(err, len, "is %s, neither a ring file nor a pktring device: refused",
			   file_type(pre.st_mode));
	}
	if (pl->shared_dir && !trusted_uid(pre.st_uid)) {
		errno = EPERM;
		return say(err, len, "is owned by uid %u in a directory others may write: refusing a ring that is neither root's nor yours",
			   (unsigned int)pre.st_uid);
	}
	fd = openat(pl->dirfd, pl->name,
		    oflags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return say(err, len, "open: %s", strerror(errno));
	if (fstat(fd, st) != 0 || st->st_dev != pre.st_dev ||
	    st->st_ino != pre.st_ino) {
		close(fd);
		errno = EAGAIN;
		return say(err, len, "was replaced while being opened");
	}
	return fd;
}

void pktring_place_close(struct pktring_place *pl)
{
	if (pl->dirfd >= 0)
		close(pl->dirfd);
	pl->dirfd = -1;
}
