/*
 * supervisor.c: creates directories on behalf of sandboxed targets, under /tmp/ only.
 *
 * Targets (target.c) install the filter of notify-mkdir.policy, which sends every mkdir and
 * mkdirat to a listener fd, and hand that fd to this supervisor over a Unix socket. The
 * supervisor then receives each directory creation as a notification, reads the path from
 * the target's memory, and answers:
 *   - a path under /tmp/: it creates the directory itself and answers 0 (or the error the
 *     creation gave: EEXIST, ENOENT, ...);
 *   - anything else: EPERM.
 * It serves any number of targets, one after the other or at once (its tables grow as needed,
 * until memory or the process's fd limit runs out), until SIGINT or SIGTERM. A connection that
 * does not hand over its fd within 2 seconds is dropped, without delaying anyone else.
 *
 *   supervisor [--delay-ms N] SOCKET
 *
 * --delay-ms N waits N milliseconds between creating a directory and answering, to show what
 * happens when the target dies or is interrupted meanwhile (README.md, tests).
 *
 * Built only on the headers seccompile writes (seccompile_notify.h) and libc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "seccompile_notify.h"

#define AUDIT_ARCH_X86_64 0xc000003eU
#define MAX_COMPONENTS 256
#define HANDOVER_MS 2000 /* how long a connection may take to send its listener fd */

struct target {
	int listener; /* the target's listener fd */
	pid_t pid;    /* who connected, for messages */
};

/* A connection accepted, waiting for its listener fd (non-blocking, with a deadline). */
struct pending {
	int conn;
	pid_t pid;
	long long deadline; /* CLOCK_MONOTONIC milliseconds */
};

static volatile sig_atomic_t stopping;
static struct target *targets;
static int target_count, target_room;
static struct pending *pendings;
static int pending_count, pending_room;
static long delay_ms;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	fputs("supervisor: ", stdout);
	vprintf(format, ap);
	putchar('\n');
	va_end(ap);
}

/*
 * A string from a target (a path), safe in one log line: control characters, `"`, `\\` and
 * bytes above 0x7e are escaped, so a path with a newline cannot forge another line.
 */
static const char *escaped(const char *s, char *out, size_t room)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (; *s != '\0' && n + 5 < room; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20 || c > 0x7e) {
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		} else {
			out[n++] = (char)c;
		}
	}
	if (*s != '\0' && n + 4 <= room) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Makes room for one more element in a table that grows; 0, or -1 when memory runs out. */
static int grow(void **table, int *room, int count, size_t size)
{
	void *bigger;
	int wanted;

	if (count < *room)
		return 0;
	wanted = *room > 0 ? *room * 2 : 16;
	bigger = realloc(*table, (size_t)wanted * size);
	if (!bigger)
		return -1;
	*table = bigger;
	*room = wanted;
	return 0;
}

static const char *errno_name(int e)
{
	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EEXIST: return "EEXIST";
	case ENOTDIR: return "ENOTDIR";
	case EFAULT: return "EFAULT";
	case EBADF: return "EBADF";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOSPC: return "ENOSPC";
	case EROFS: return "EROFS";
	case ENOSYS: return "ENOSYS";
	case ESRCH: return "ESRCH";
	default: return "another error";
	}
}

/* ------------------------------------------------------------------------------------- */
/* Reading /proc/PID/... by the rule: open (or read a link), then check the notification   */
/* is still valid, then use what was read. A valid id proves the pid was not reused.       */

/* Reads /proc/PID/status: the target's umask and filesystem uid. 0 or -errno. */
static int read_status(int listener, const struct seccomp_notif *req, mode_t *umask_out, uid_t *fsuid_out)
{
	char path[64], text[8192];
	const char *line;
	ssize_t n;
	int fd, r;

	snprintf(path, sizeof(path), "/proc/%u/status", req->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = scn_id_valid(listener, req->id);
	if (r < 0) {
		close(fd);
		return r;
	}
	n = read(fd, text, sizeof(text) - 1);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	text[n] = '\0';
	*umask_out = 022; /* Linux before 4.7 has no Umask line */
	line = strstr(text, "\nUmask:");
	if (line)
		*umask_out = (mode_t)strtoul(line + 7, NULL, 8) & 0777;
	line = strstr(text, "\nUid:");
	if (!line)
		return -EIO;
	{
		/* Uid: real effective saved filesystem */
		char *end;
		unsigned long ids[4];

		line += 5;
		for (int i = 0; i < 4; i++) {
			ids[i] = strtoul(line, &end, 10);
			if (end == line)
				return -EIO;
			line = end;
		}
		*fsuid_out = (uid_t)ids[3];
	}
	return 0;
}

/* readlink of /proc/PID/NAME into buf, NUL-terminated. Length or -errno. Check the id after. */
static long read_proc_link(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	n = readlink(path, buf, size - 1);
	if (n < 0)
		return -errno;
	if ((size_t)n == size - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return n;
}

/* ------------------------------------------------------------------------------------- */
/* Deciding.                                                                               */

struct request {
	const char *syscall; /* "mkdir" or "mkdirat" */
	char path[PATH_MAX]; /* the path argument, as copied from the target */
	int dirfd;           /* mkdirat's dirfd, AT_FDCWD for mkdir */
	mode_t mode;
};

struct decision {
	int error;                 /* 0: created; else the errno to answer */
	int exists_only;           /* the path ends in "." or "..": the kernel creates nothing */
	dev_t base_dev;            /* the directory a relative path starts from, by identity */
	ino_t base_ino;
	int base_depth;            /* its components in the path (0: an absolute path) */
	const char *why;           /* for the log */
	char full[2 * PATH_MAX + 2]; /* the absolute path that was checked */
	int parent;                /* open parent directory (O_PATH) of what was created, or -1 */
	char name[NAME_MAX + 1];   /* what was created in it */
};

/*
 * Splits the absolute path `full` into components, dropping "" and ".". Refuses "..": with
 * no symbolic links allowed on the way (create_under_tmp), that is the only way out.
 * Returns the count, or -1 for "..", or -2 for too many.
 */
static int split_path(char *full, char *parts[])
{
	int n = 0;

	for (char *save = NULL, *p = strtok_r(full, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (strcmp(p, ".") == 0)
			continue;
		if (strcmp(p, "..") == 0)
			return -1;
		if (n == MAX_COMPONENTS)
			return -2;
		parts[n++] = p;
	}
	return n;
}

/*
 * Creates /tmp/parts[1]/.../parts[n-1] with `mode`, walking down from /tmp one directory at a
 * time and refusing symbolic links, so that neither a link nor a rename elsewhere can lead
 * outside /tmp. On success keeps the parent open in d->parent, for undoing.
 */
static int is_base(int dir, const struct decision *d)
{
	struct stat st;

	return fstat(dir, &st) == 0 && st.st_dev == d->base_dev && st.st_ino == d->base_ino;
}

static void create_under_tmp(char *parts[], int n, mode_t mode, struct decision *d)
{
	int dir = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* A path ending in "." names a directory that must exist: every component is a parent. */
	int parents = d->exists_only ? n : n - 1;

	if (dir < 0) {
		d->error = errno;
		d->why = "cannot open /tmp";
		return;
	}
	for (int i = 1; i <= parents; i++) {
		/*
		 * The directory a relative path started from, reached again by name: it must be the
		 * target's own (/proc/PID/cwd or fd/N, opened as a file), or it was renamed or replaced
		 * meanwhile and the string no longer names it.
		 */
		if (d->base_depth > 0 && i == d->base_depth && !is_base(dir, d)) {
			d->error = ENOENT;
			d->why = "the target's directory moved while the path was checked";
			close(dir);
			return;
		}
		if (i == parents)
			break;
		struct stat st;
		int next = openat(dir, parts[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);

		if (next < 0) {
			d->error = errno;
			d->why = "a parent directory cannot be opened";
			close(dir);
			return;
		}
		close(dir);
		dir = next;
		if (fstat(dir, &st) != 0) {
			d->error = errno;
			d->why = "a parent directory cannot be examined";
		} else if (S_ISLNK(st.st_mode)) {
			d->error = EPERM;
			d->why = "a symbolic link on the way";
		} else if (!S_ISDIR(st.st_mode)) {
			d->error = ENOTDIR;
			d->why = "a parent is not a directory";
		} else {
			continue;
		}
		close(dir);
		return;
	}
	if (d->exists_only) {
		/* As the kernel answers mkdir("dir/."): the directory exists. */
		d->error = EEXIST;
		d->why = "the path ends in \".\"";
		close(dir);
		return;
	}
	/* mkdirat never follows a symbolic link in the last component: it fails with EEXIST. */
	if (mkdirat(dir, parts[n - 1], mode) != 0) {
		d->error = errno;
		d->why = "mkdir failed";
		close(dir);
		return;
	}
	d->error = 0;
	d->why = "created";
	d->parent = dir;
	snprintf(d->name, sizeof(d->name), "%s", parts[n - 1]);
}

/*
 * Decides on a request whose arguments were all copied already; creates the directory when
 * it is allowed. The target's /proc entries are read first, then the id is checked once.
 * Returns 0, or -ENOENT when the target went away (nothing was done).
 */
static int decide(int listener, const struct seccomp_notif *req, struct request *rq, struct decision *d)
{
	char base[PATH_MAX], root[PATH_MAX];
	char *parts[MAX_COMPONENTS];
	mode_t target_umask = 022;
	uid_t fsuid = (uid_t)-1;
	long r;
	int n;

	d->parent = -1;
	d->full[0] = '\0';
	d->exists_only = 0;
	d->base_depth = 0;
	r = read_status(listener, req, &target_umask, &fsuid);
	if (r < 0) {
		d->error = (int)-r;
		d->why = "cannot read the target's status";
		return r == -ENOENT ? -ENOENT : 0;
	}
	/* This supervisor acts with its own credentials: it serves only its own user. */
	if (fsuid != geteuid()) {
		d->error = EACCES;
		d->why = "the target runs as another user";
		return 0;
	}
	/* Absolute paths are resolved against the target's root: it must be ours. */
	r = read_proc_link(req->pid, "root", root, sizeof(root));
	if (r >= 0 && rq->path[0] != '/' && rq->path[0] != '\0') {
		/*
		 * A relative path starts at the target's working directory or at mkdirat's dirfd. Its
		 * name (readlink) says where it is; the directory itself, opened through /proc as a
		 * file, says whether it still exists and lets the walk check it reached the same one.
		 */
		char link[32], proc[64];
		struct stat st;
		int base_fd;

		if (rq->dirfd == AT_FDCWD)
			snprintf(link, sizeof(link), "cwd");
		else
			snprintf(link, sizeof(link), "fd/%d", rq->dirfd);
		snprintf(proc, sizeof(proc), "/proc/%d/%s", (int)req->pid, link);
		base_fd = open(proc, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (base_fd < 0) {
			r = errno == ENOENT && rq->dirfd != AT_FDCWD ? -EBADF : -errno;
		} else {
			r = read_proc_link(req->pid, link, base, sizeof(base));
			if (r >= 0 && fstat(base_fd, &st) != 0)
				r = -errno;
			else if (r >= 0 && st.st_nlink == 0)
				r = -ENOENT; /* deleted: the kernel creates nothing in it */
			d->base_dev = st.st_dev;
			d->base_ino = st.st_ino;
			close(base_fd);
		}
	}
	if (scn_id_valid(listener, req->id) != 0)
		return -ENOENT;
	if (rq->path[0] == '\0') {
		d->error = ENOENT;
		d->why = "an empty path";
		return 0;
	}
	if (r < 0) {
		d->error = (int)-r;
		d->why = r == -ENOENT ? "the target's directory was deleted, or is gone" : "cannot resolve the path";
		return 0;
	}
	{
		/* "dir/." and "dir/./" name a directory that must exist: mkdir creates nothing. */
		size_t len = strlen(rq->path);

		while (len > 1 && rq->path[len - 1] == '/')
			len--;
		if ((len == 1 && rq->path[0] == '.') || (len >= 2 && rq->path[len - 1] == '.' && rq->path[len - 2] == '/'))
			d->exists_only = 1;
	}
	if (strcmp(root, "/") != 0) {
		d->error = EPERM;
		d->why = "the target has another root directory";
		return 0;
	}
	if (rq->path[0] == '/') {
		snprintf(d->full, sizeof(d->full), "%s", rq->path);
	} else if (base[0] != '/') {
		/* "socket:[...]" and the like */
		d->error = ENOTDIR;
		d->why = "dirfd is not a directory";
		return 0;
	} else {
		char scratch[PATH_MAX], *base_parts[MAX_COMPONENTS];

		snprintf(d->full, sizeof(d->full), "%s/%s", base, rq->path);
		memcpy(scratch, base, sizeof(scratch));
		d->base_depth = split_path(scratch, base_parts);
	}
	if (strlen(d->full) >= PATH_MAX) {
		d->error = ENAMETOOLONG;
		d->why = "the whole path is too long";
		return 0;
	}
	{
		char scratch[sizeof(d->full)];

		memcpy(scratch, d->full, sizeof(scratch));
		n = split_path(scratch, parts);
		if (n == -1 || n == -2) {
			d->error = n == -1 ? EPERM : ENAMETOOLONG;
			d->why = n == -1 ? "\"..\" in the path" : "too many components";
			return 0;
		}
		if (n == 0 || strcmp(parts[0], "tmp") != 0) {
			d->error = EPERM;
			d->why = "outside /tmp";
			return 0;
		}
		if (n == 1) {
			d->error = EEXIST;
			d->why = "/tmp itself";
			return 0;
		}
		if (d->base_depth < 0) {
			d->error = EPERM;
			d->why = "the target's directory is not a plain path";
			return 0;
		}
		/* From here on the log shows the path as checked: "/tmp/a/b". */
		d->full[0] = '\0';
		for (int i = 0, at = 0; i < n; i++)
			at += snprintf(d->full + at, sizeof(d->full) - (size_t)at, "/%s", parts[i]);
		create_under_tmp(parts, n, rq->mode & ~target_umask & 07777, d);
	}
	return 0;
}

/* Copies the arguments of a mkdir or mkdirat notification. 0, or the errno to answer, or -ENOENT. */
static int copy_request(int listener, const struct seccomp_notif *req, struct request *rq)
{
	__u64 path_addr;
	long n;

	if (req->data.arch != AUDIT_ARCH_X86_64)
		return ENOSYS;
	if (req->data.nr == SYS_mkdir) {
		rq->syscall = "mkdir";
		rq->dirfd = AT_FDCWD;
		path_addr = req->data.args[0];
		rq->mode = (mode_t)(req->data.args[1] & 07777);
	} else if (req->data.nr == SYS_mkdirat) {
		rq->syscall = "mkdirat";
		rq->dirfd = (int)(__u32)req->data.args[0]; /* an int: the low 32 bits */
		path_addr = req->data.args[1];
		rq->mode = (mode_t)(req->data.args[2] & 07777);
	} else {
		return ENOSYS;
	}
	if (req->pid == 0) /* in a PID namespace we cannot see: its memory is out of reach */
		return EPERM;
	/* Rule 2: decide on this copy, never on the target's memory. */
	n = scn_read_string(listener, req, path_addr, rq->path, sizeof(rq->path));
	if (n == -ENOENT)
		return -ENOENT;
	if (n == 0)
		return ENOENT; /* as the kernel answers an empty path */
	return n < 0 ? (int)-n : 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stopping)
		;
}

/* Receives one notification from `t` and answers it. */
static void serve(struct target *t, struct scn_buffers *b)
{
	struct seccomp_notif *req = b->req;
	struct request rq;
	struct decision d;
	char shown[4 * PATH_MAX + 4], shown_full[4 * (2 * PATH_MAX + 2) + 4];
	int r;

	r = scn_recv(t->listener, b);
	if (r == -EINTR || r == -ENOENT) /* a signal; a target that went away before we got it */
		return;
	if (r < 0) {
		say("receiving from target %d: %s", (int)t->pid, strerror(-r));
		return;
	}
	memset(&rq, 0, sizeof(rq));
	r = copy_request(t->listener, req, &rq);
	if (r == -ENOENT) {
		say("pid %u: gone before its request was read", req->pid);
		return;
	}
	if (r > 0) {
		say("pid %u: %s: %s (could not read the request)", req->pid, rq.syscall ? rq.syscall : "call", errno_name(r));
		scn_respond_error(t->listener, b, req->id, r);
		return;
	}
	if (decide(t->listener, req, &rq, &d) == -ENOENT) {
		say("pid %u: gone before the decision; nothing done", req->pid);
		return;
	}
	escaped(rq.path, shown, sizeof(shown));
	escaped(d.full, shown_full, sizeof(shown_full));
	if (d.error) {
		say("pid %u: %s \"%s\": %s (%s)", req->pid, rq.syscall, shown, errno_name(d.error), d.why);
		r = scn_respond_error(t->listener, b, req->id, d.error);
	} else {
		say("pid %u: %s \"%s\": created %s", req->pid, rq.syscall, shown, shown_full);
		if (delay_ms > 0)
			sleep_ms(delay_ms);
		r = scn_respond_value(t->listener, b, req->id, 0);
	}
	if (r == -ENOENT) {
		/*
		 * The target died, or a signal interrupted its call, which will then be restarted
		 * (or fail with EINTR). Either way our answer is lost: undo what we did, or the
		 * restarted mkdir would fail with EEXIST.
		 */
		if (d.parent >= 0 && unlinkat(d.parent, d.name, AT_REMOVEDIR) == 0)
			say("pid %u: gone or interrupted before the answer; removed %s", req->pid, shown_full);
		else
			say("pid %u: gone or interrupted before the answer", req->pid);
	} else if (r < 0) {
		say("pid %u: answering: %s", req->pid, strerror(-r));
	}
	if (d.parent >= 0)
		close(d.parent);
}

/* ------------------------------------------------------------------------------------- */
/* Targets arrive on a Unix socket with their listener fd (SCM_RIGHTS).                     */

static int listen_on(const char *path)
{
	struct sockaddr_un addr;
	int fd;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "supervisor: socket path too long\n");
		return -1;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 16) != 0) {
		perror("supervisor: socket");
		return -1;
	}
	return fd;
}

/* Is `fd` a seccomp listener? */
static int is_listener(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;
	link[n] = '\0';
	return strcmp(link, "anon_inode:seccomp notify") == 0;
}

/*
 * Accepts a connection without waiting for it: checks who it is (SO_PEERCRED, known at accept),
 * and keeps it pending, non-blocking, until it sends its listener fd or its deadline passes. An idle
 * connection therefore delays nobody.
 */
static void accept_connection(int server)
{
	struct ucred peer;
	socklen_t len = sizeof(peer);
	int conn;

	conn = accept4(server, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (conn < 0)
		return;
	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 || peer.uid != geteuid()) {
		say("refused a connection from another user");
		close(conn);
		return;
	}
	if (grow((void **)&pendings, &pending_room, pending_count, sizeof(*pendings)) < 0) {
		say("pid %d: refused (out of memory)", (int)peer.pid);
		close(conn);
		return;
	}
	pendings[pending_count].conn = conn;
	pendings[pending_count].pid = peer.pid;
	pendings[pending_count].deadline = now_ms() + HANDOVER_MS;
	pending_count++;
}

static void drop_pending(int i)
{
	close(pendings[i].conn);
	pendings[i] = pendings[--pending_count];
}

/* A pending connection is readable: takes its listener fd, acknowledges, and serves the target. */
static void take_listener(int i)
{
	char byte, control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr msg;
	struct cmsghdr *cmsg;
	pid_t pid = pendings[i].pid;
	int conn = pendings[i].conn, fd = -1;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control;
	msg.msg_controllen = sizeof(control);
	n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == 1 && !(msg.msg_flags & MSG_CTRUNC)) {
		cmsg = CMSG_FIRSTHDR(&msg);
		if (cmsg && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS &&
		    cmsg->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	}
	if (fd < 0 || !is_listener(fd) || grow((void **)&targets, &target_room, target_count, sizeof(*targets)) < 0) {
		say("pid %d: refused (%s)", (int)pid, fd < 0 ? "no fd" : !is_listener(fd) ? "not a seccomp listener" : "out of memory");
		if (fd >= 0)
			close(fd);
		drop_pending(i);
		return;
	}
	targets[target_count].listener = fd;
	targets[target_count].pid = pid;
	target_count++;
	say("target %d connected (listener fd %d)", (int)pid, fd);
	/* Acknowledge: from now on the target's calls have someone to answer them. */
	if (send(conn, "k", 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1)
		say("target %d: could not acknowledge", (int)pid);
	drop_pending(i);
}

static void drop_target(int i)
{
	say("target %d: finished (no task uses its filter any more)", (int)targets[i].pid);
	close(targets[i].listener);
	targets[i] = targets[--target_count];
}

int main(int argc, char **argv)
{
	struct pollfd *fds = NULL;
	int fds_room = 0;
	struct scn_buffers b;
	struct sigaction sa;
	const char *socket_path = NULL;
	int server, r;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--delay-ms") == 0 && i + 1 < argc)
			delay_ms = strtol(argv[++i], NULL, 10);
		else if (!socket_path && argv[i][0] != '-')
			socket_path = argv[i];
		else
			socket_path = NULL, i = argc;
	}
	if (!socket_path) {
		fprintf(stderr, "usage: %s [--delay-ms N] SOCKET\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Modes are computed from each target's own umask. */
	umask(0);
	r = scn_alloc(&b);
	if (r < 0) {
		fprintf(stderr, "supervisor: seccomp(SECCOMP_GET_NOTIF_SIZES): %s (Linux 5.0 or later needed)\n", strerror(-r));
		return 1;
	}
	server = listen_on(socket_path);
	if (server < 0)
		return 1;
	say("listening on %s", socket_path);
	while (!stopping) {
		int count = 1 + target_count + pending_count, timeout = -1;
		long long now = now_ms();

		if (count > fds_room) {
			struct pollfd *bigger = realloc(fds, (size_t)count * 2 * sizeof(*fds));
			if (!bigger) {
				say("out of memory");
				break;
			}
			fds = bigger;
			fds_room = count * 2;
		}
		fds[0].fd = server;
		fds[0].events = POLLIN;
		for (int i = 0; i < target_count; i++) {
			fds[1 + i].fd = targets[i].listener;
			fds[1 + i].events = POLLIN;
		}
		for (int i = 0; i < pending_count; i++) {
			long long left = pendings[i].deadline - now;
			fds[1 + target_count + i].fd = pendings[i].conn;
			fds[1 + target_count + i].events = POLLIN;
			if (timeout < 0 || left < timeout)
				timeout = left > 0 ? (int)left : 0;
		}
		if (poll(fds, (nfds_t)count, timeout) < 0) {
			if (errno == EINTR)
				continue;
			perror("supervisor: poll");
			break;
		}
		/*
		 * Listeners, then pending connections, each from the last, so that dropping one does not
		 * skip another (a pending connection that becomes a target is added after the listeners
		 * polled); new connections last, as they were not in this poll.
		 */
		int polled_targets = target_count;
		for (int i = polled_targets - 1; i >= 0; i--) {
			if (fds[1 + i].revents & POLLIN)
				serve(&targets[i], &b);
			else if (fds[1 + i].revents & (POLLHUP | POLLERR | POLLNVAL))
				drop_target(i);
		}
		now = now_ms();
		for (int i = pending_count - 1; i >= 0; i--) {
			if (fds[1 + polled_targets + i].revents & (POLLIN | POLLHUP | POLLERR))
				take_listener(i);
			else if (now >= pendings[i].deadline) {
				say("pid %d: no listener fd within %d ms; connection dropped", (int)pendings[i].pid, HANDOVER_MS);
				drop_pending(i);
			}
		}
		if (fds[0].revents & POLLIN)
			accept_connection(server);
	}
	say("stopping");
	unlink(socket_path);
	close(server);
	while (target_count > 0)
		close(targets[--target_count].listener);
	while (pending_count > 0)
		drop_pending(pending_count - 1);
	free(targets);
	free(pendings);
	free(fds);
	scn_free(&b);
	return 0;
}
