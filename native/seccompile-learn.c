/*
 * seccompile-learn: the native half of `seccompile learn`.
 *
 * Runs a command under a seccomp filter that sends every system call to this process (the
 * supervisor) through user notification, records the call, and lets it run with
 * SECCOMP_USER_NOTIF_FLAG_CONTINUE. The filter is inherited across fork, clone and execve, so
 * every process and thread the command starts is followed. What was seen is streamed as JSON
 * lines on a file descriptor for the Node side (src/learn/), which writes the policy.
 *
 *   seccompile-learn --records-fd FD [--track NR:ARG]... [--timeout-ms MS] [--kill-after-ms MS]
 *                    -- PROGRAM [ARG]...
 *
 * Built by scripts/build-native.mjs with two headers that seccompile itself generates:
 * learn_filter.h (native/learn.policy compiled with `--format c`, for learn_filter_install())
 * and seccompile_notify.h (the notify kit, for scn_recv() and scn_respond_continue()).
 * native/README.md explains the handshake, the record protocol and the limits.
 *
 * Exit status: the command's (128 + N when signal N killed it); 124 when --timeout-ms expired;
 * 125 when this helper failed; 126 when the command could not be executed; 127 when it was
 * not found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "learn_filter.h"
#include "seccompile_notify.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

/* Bumped when the records change; the Node side refuses a helper of another protocol. */
#define PROTOCOL 1

#define AUDIT_ARCH_X86_64 0xc000003eU
#define AUDIT_ARCH_I386 0x40000003U
#define X32_SYSCALL_BIT 0x40000000U

#define MAX_NR 1024          /* syscall numbers counted in the arrays; others go to a short list */
#define MAX_ODD 64           /* distinct out-of-range (arch, nr) pairs kept */
#define MAX_TRACKED 32       /* (syscall, argument) pairs whose values are recorded */
#define MAX_VALUES 256       /* distinct values kept per pair */
#define MAX_TID (1U << 22)   /* PID_MAX_LIMIT on 64-bit */
#define PROGRESS_MS 200      /* a progress record at most this often */
#define HANDSHAKE_MS 10000   /* the child must install its filter within this */
#define EXIT_TIMEOUT 124
#define EXIT_FAILURE_OWN 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

enum arch { ARCH_X86_64, ARCH_X32, ARCH_I386, ARCH_OTHER, ARCH_COUNT };
static const char *const arch_names[ARCH_COUNT] = { "x86_64", "x32", "i386", "other" };

struct odd_call {
	enum arch arch;
	uint32_t nr;
	uint64_t count;
};

struct tracked {
	int nr;
	int arg;
	int count;      /* distinct values in values[] */
	int overflow;   /* more than MAX_VALUES distinct values were seen */
	uint64_t union_bits;
	uint64_t values[MAX_VALUES];
};

/* Messages from the child over the pipe, before its filter (and after a failed execve). */
enum { MSG_LISTENER = 1, MSG_FAILED, MSG_INSTALL_FAILED, MSG_EXEC_FAILED };
struct msg {
	int kind;
	int value;
};

struct child_ctx {
	int pipe_w;
	pid_t parent;
	sigset_t mask; /* the signal mask to restore */
	const char *path;
	char **argv;
};

static struct {
	uint64_t counts[ARCH_COUNT][MAX_NR];
	struct odd_call odd[MAX_ODD];
	int odd_count;
	uint64_t odd_dropped;
	struct tracked tracked[MAX_TRACKED];
	int tracked_count;
	unsigned char *tids;  /* bitmap of thread ids seen */
	unsigned char *tgids; /* bitmap of process ids seen */
	uint64_t calls, threads, processes, distinct, interrupted;
} seen;

static int records_fd = -1;
static int records_broken;
static char outbuf[1 << 16];
static size_t outlen;

static void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	fputs("seccompile-learn: ", stderr);
	vfprintf(stderr, format, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- records: JSON lines, buffered, flushed on a timer and at the end ---- */

static void out_flush(void)
{
	size_t done = 0;

	while (done < outlen && !records_broken) {
		ssize_t n = write(records_fd, outbuf + done, outlen - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			records_broken = 1; /* the reader went away; keep supervising anyway */
			break;
		}
		done += (size_t)n;
	}
	outlen = 0;
}

static void out(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *format, ...)
{
	va_list ap, again;
	size_t room = sizeof(outbuf) - outlen;
	int n;

	va_start(ap, format);
	va_copy(again, ap);
	n = vsnprintf(outbuf + outlen, room, format, ap);
	if (n >= 0 && (size_t)n >= room) {
		/* It did not fit: flush and write it again (cut at the buffer's size, never expected). */
		out_flush();
		room = sizeof(outbuf);
		n = vsnprintf(outbuf, room, format, again);
		if (n >= 0 && (size_t)n >= room)
			n = (int)room - 1;
	}
	va_end(again);
	va_end(ap);
	if (n > 0)
		outlen += (size_t)n;
}

/*
 * A JSON string (quotes included). Control characters are escaped; other bytes pass as they are:
 * the reader decodes UTF-8 (and replaces what is not).
 */
static void out_string(const char *s)
{
	char buf[4096 * 6 + 3];
	size_t at = 0;

	buf[at++] = '"';
	for (; *s != '\0' && at < sizeof(buf) - 8; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			buf[at++] = '\\';
			buf[at++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			at += (size_t)snprintf(buf + at, sizeof(buf) - at, "\\u%04x", c);
		} else {
			buf[at++] = (char)c;
		}
	}
	buf[at++] = '"';
	buf[at] = '\0';
	out("%s", buf);
}

/* ---- what was seen ---- */

static int bit_test_set(unsigned char *bits, uint32_t n)
{
	int was;

	if (n >= MAX_TID)
		return 1;
	was = (bits[n / 8] >> (n % 8)) & 1;
	bits[n / 8] |= (unsigned char)(1U << (n % 8));
	return was;
}

/* The thread group of a thread, from /proc/TID/status; 0 when it cannot be read. */
static uint32_t tgid_of(uint32_t tid)
{
	char path[64], buf[1024];
	const char *at;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/status", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	at = strstr(buf, "\nTgid:");
	return at != NULL ? (uint32_t)strtoul(at + 6, NULL, 10) : 0;
}

static void note_task(uint32_t tid)
{
	uint32_t tgid;

	if (tid == 0 || bit_test_set(seen.tids, tid))
		return;
	seen.threads++;
	tgid = tgid_of(tid);
	if (tgid != 0 && !bit_test_set(seen.tgids, tgid))
		seen.processes++;
	out("{\"t\":\"task\",\"tid\":%u,\"tgid\":%u}\n", tid, tgid);
	/* Sent at once: if this helper is killed, seccompile must know which processes to end. */
	out_flush();
}

static void note_odd(enum arch arch, uint32_t nr)
{
	int i;

	for (i = 0; i < seen.odd_count; i++) {
		if (seen.odd[i].arch == arch && seen.odd[i].nr == nr) {
			seen.odd[i].count++;
			return;
		}
	}
	if (seen.odd_count == MAX_ODD) {
		seen.odd_dropped++;
		return;
	}
	seen.odd[seen.odd_count++] = (struct odd_call){ arch, nr, 1 };
	seen.distinct++;
	out("{\"t\":\"syscall\",\"arch\":\"%s\",\"nr\":%u}\n", arch_names[arch], nr);
}

static void note_value(struct tracked *t, uint64_t value)
{
	int i;

	t->union_bits |= value;
	for (i = 0; i < t->count; i++)
		if (t->values[i] == value)
			return;
	if (t->count == MAX_VALUES) {
		t->overflow = 1;
		return;
	}
	t->values[t->count++] = value;
	out("{\"t\":\"value\",\"nr\":%d,\"arg\":%d,\"value\":\"0x%llx\"}\n", t->nr, t->arg, (unsigned long long)value);
}

static void note_exec(int listener, const struct seccomp_notif *req, uint64_t addr)
{
	char path[4096];
	long n = scn_read_string(listener, req, addr, path, sizeof(path));

	out("{\"t\":\"exec\",\"tid\":%u,\"path\":", req->pid);
	if (n >= 0)
		out_string(path);
	else
		out("null");
	out("}\n");
}

static void record(int listener, const struct seccomp_notif *req)
{
	enum arch arch;
	uint32_t nr = (uint32_t)req->data.nr;
	int i;

	seen.calls++;
	note_task(req->pid);
	if (req->data.arch == AUDIT_ARCH_X86_64) {
		arch = ARCH_X86_64;
		if (nr != UINT32_MAX && (nr & X32_SYSCALL_BIT) != 0) {
			arch = ARCH_X32;
			nr &= ~X32_SYSCALL_BIT;
		}
	} else {
		arch = req->data.arch == AUDIT_ARCH_I386 ? ARCH_I386 : ARCH_OTHER;
	}
	if (nr >= MAX_NR) {
		note_odd(arch, nr);
		return;
	}
	if (seen.counts[arch][nr]++ == 0) {
		seen.distinct++;
		out("{\"t\":\"syscall\",\"arch\":\"%s\",\"nr\":%u}\n", arch_names[arch], nr);
	}
	if (arch != ARCH_X86_64)
		return;
	for (i = 0; i < seen.tracked_count; i++)
		if (seen.tracked[i].nr == (int)nr)
			note_value(&seen.tracked[i], req->data.args[seen.tracked[i].arg]);
	/* execve(filename, ...) is 59, execveat(dfd, filename, ...) 322: which programs ran. */
	if (nr == 59)
		note_exec(listener, req, req->data.args[0]);
	else if (nr == 322)
		note_exec(listener, req, req->data.args[1]);
}

static void progress(void)
{
	out("{\"t\":\"progress\",\"calls\":%llu,\"distinct\":%llu,\"processes\":%llu,\"threads\":%llu}\n",
	    (unsigned long long)seen.calls, (unsigned long long)seen.distinct,
	    (unsigned long long)seen.processes, (unsigned long long)seen.threads);
}

static void final_records(void)
{
	int arch, i;
	unsigned nr;

	for (arch = 0; arch < ARCH_COUNT; arch++) {
		const char *sep = "";
		int any = 0;

		for (nr = 0; nr < MAX_NR && !any; nr++)
			any = seen.counts[arch][nr] != 0;
		for (i = 0; i < seen.odd_count && !any; i++)
			any = seen.odd[i].arch == (enum arch)arch;
		if (!any)
			continue;
		out("{\"t\":\"counts\",\"arch\":\"%s\",\"counts\":[", arch_names[arch]);
		for (nr = 0; nr < MAX_NR; nr++) {
			if (seen.counts[arch][nr] == 0)
				continue;
			out("%s[%u,%llu]", sep, nr, (unsigned long long)seen.counts[arch][nr]);
			sep = ",";
		}
		for (i = 0; i < seen.odd_count; i++) {
			if (seen.odd[i].arch != (enum arch)arch)
				continue;
			out("%s[%u,%llu]", sep, seen.odd[i].nr, (unsigned long long)seen.odd[i].count);
			sep = ",";
		}
		out("]}\n");
	}
	for (i = 0; i < seen.tracked_count; i++) {
		const struct tracked *t = &seen.tracked[i];
		out("{\"t\":\"values\",\"nr\":%d,\"arg\":%d,\"count\":%d,\"union\":\"0x%llx\",\"overflow\":%s}\n", t->nr,
		    t->arg, t->count, (unsigned long long)t->union_bits, t->overflow ? "true" : "false");
	}
}

/* ---- the child: install the filter, exec ---- */

static void child_send(int fd, int kind, int value)
{
	struct msg m = { kind, value };

	while (write(fd, &m, sizeof(m)) < 0 && errno == EINTR)
		;
}

static char child_stack[256 * 1024] __attribute__((aligned(16)));

/*
 * Runs in the child, which shares the supervisor's file table (CLONE_FILES) but not its memory.
 * Every step before learn_filter_install() is an ordinary system call; after it, each call waits
 * for the supervisor, so there is exactly one: execve (and, if that fails, the report and _exit).
 */
static int child_main(void *arg)
{
	const struct child_ctx *c = arg;
	extern char **environ;
	struct sigaction dfl;
	int probe, listener, e;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &dfl, NULL);
	sigprocmask(SIG_SETMASK, &c->mask, NULL);
	/* If the supervisor dies, no call of ours could ever be answered: die with it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != c->parent)
		_exit(EXIT_FAILURE_OWN);
	/*
	 * seccomp(2) puts the listener at the lowest free descriptor. Find it: open one and close
	 * it. Nothing else allocates descriptors in the shared table until the filter is in place
	 * (the supervisor waits on the pipe), so the listener will be exactly `probe`.
	 */
	probe = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (probe < 0) {
		e = errno;
		child_send(c->pipe_w, MSG_FAILED, e);
		_exit(EXIT_FAILURE_OWN);
	}
	close(probe);
	child_send(c->pipe_w, MSG_LISTENER, probe);
	listener = learn_filter_install(); /* no_new_privs, then the filter: the listener, or -errno */
	if (listener < 0) {
		child_send(c->pipe_w, MSG_INSTALL_FAILED, -listener);
		_exit(EXIT_FAILURE_OWN);
	}
	/*
	 * Filtered from here on. The supervisor finds the listener in the shared table and answers
	 * this execve, the first notification. execve gives the command a private copy of the
	 * table and closes the listener and every other close-on-exec descriptor in it.
	 */
	execve(c->path, c->argv, environ);
	e = errno;
	child_send(c->pipe_w, MSG_EXEC_FAILED, e);
	_exit(e == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
}

/* ---- the supervisor ---- */

static int read_msg(int fd, struct msg *m)
{
	ssize_t n;

	do
		n = read(fd, m, sizeof(*m));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(*m) ? 0 : -1;
}

static int is_listener(int fd)
{
	static const char want[] = "anon_inode:seccomp notify";
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;
	link[n] = '\0';
	return strcmp(link, want) == 0;
}

static const char *install_error(int e)
{
	switch (e) {
	case EBUSY:
		return "a filter with a user-notification listener is already installed on this process "
		       "(one listener per filter chain): learn cannot run under another supervisor";
	case EINVAL:
		return "the kernel refused the filter flags (user notification needs Linux 5.0)";
	case EACCES:
		return "no_new_privs could not be set";
	default:
		return strerror(e);
	}
}

/*
 * Waits until the child's listener is in the shared file table. The child announces the
 * descriptor number first (before its filter); then its seccomp() call makes it appear. That
 * moment cannot be signalled (any call of the filtered child waits for an answer that needs the
 * listener), so the supervisor looks: a check, then a pause of 10 us, doubling up to 1 ms. The
 * child meanwhile waits in its execve notification, queued on the listener, so nothing is lost.
 * Returns the listener, or -1 after saying why.
 */
static int handshake(int pipe_r, int pidfd, int *status)
{
	struct pollfd fds[2] = { { .fd = pipe_r, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
	uint64_t deadline = now_ms() + HANDSHAKE_MS;
	struct timespec delay = { 0, 0 };
	struct msg m;
	int listener = -1;

	*status = EXIT_FAILURE_OWN;
	for (;;) {
		if (listener >= 0 && fcntl(listener, F_GETFD) >= 0) {
			if (is_listener(listener))
				return listener;
			say("descriptor %d of the child is not its seccomp listener", listener);
			return -1;
		}
		if (now_ms() > deadline) {
			say("the child did not install its filter within %d ms", HANDSHAKE_MS);
			return -1;
		}
		if (ppoll(fds, 2, listener < 0 ? NULL : &delay, NULL) < 0 && errno != EINTR) {
			say("poll: %s", strerror(errno));
			return -1;
		}
		if (fds[0].revents & POLLIN) {
			if (read_msg(pipe_r, &m) < 0) {
				say("the child's message was cut short");
				return -1;
			}
			if (m.kind == MSG_LISTENER) {
				listener = m.value;
				continue;
			}
			if (m.kind == MSG_INSTALL_FAILED)
				say("cannot install the seccomp filter: %s", install_error(m.value));
			else
				say("the child failed to start: %s", strerror(m.value));
			return -1;
		}
		if (fds[1].revents & POLLIN) {
			say("the child exited before installing its filter");
			return -1;
		}
		if (listener >= 0) {
			delay.tv_nsec = delay.tv_nsec == 0 ? 10000 : delay.tv_nsec * 2;
			if (delay.tv_nsec > 1000000)
				delay.tv_nsec = 1000000;
		}
	}
}

/* Sends `sig` to every child of this process (the command, and orphans we adopted as subreaper). */
static void signal_children(pid_t direct, int sig)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (direct > 0)
			kill(direct, sig);
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (char *at = buf, *end; *at != '\0'; at = end) {
		long pid = strtol(at, &end, 10);
		if (end == at)
			break;
		if (pid > 0)
			kill((pid_t)pid, sig);
	}
}

/*
 * Reaps children that have exited (the command, and orphans adopted as subreaper); records the
 * command's status when it is among them. `flags` is WNOHANG, or 0 to wait for one. Returns 1
 * when no child is left.
 */
static int reap(pid_t child, int *child_done, int *exit_code, int flags)
{
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, flags | __WALL);

		if (pid == 0)
			return 0;
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			return errno == ECHILD;
		}
		if (pid == child) {
			*child_done = 1;
			if (WIFEXITED(st)) {
				*exit_code = WEXITSTATUS(st);
				out("{\"t\":\"exit\",\"code\":%d}\n", *exit_code);
			} else {
				*exit_code = 128 + WTERMSIG(st);
				out("{\"t\":\"exit\",\"signal\":%d}\n", WTERMSIG(st));
			}
		}
		if (flags == 0)
			return 0;
	}
}

static int kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 1; /* unknown: let the calls decide */
	return ma > major || (ma == major && mi >= minor);
}

/* PATH search, as the shell does it: the first executable regular file. */
static char *find_program(const char *name)
{
	const char *path = getenv("PATH");
	struct stat st;

	if (strchr(name, '/') != NULL)
		return strdup(name);
	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *at = path;; at++) {
		const char *end = strchrnul(at, ':');
		/* An empty entry means the working directory. */
		const char *dir = end == at ? "." : at;
		int dir_len = end == at ? 1 : (int)(end - at);
		size_t size = (size_t)dir_len + strlen(name) + 2;
		char *full = malloc(size);

		if (full == NULL)
			return NULL;
		snprintf(full, size, "%.*s/%s", dir_len, dir, name);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0)
			return full;
		free(full);
		if (*end == '\0')
			return NULL;
		at = end;
	}
}

static void usage(void)
{
	fputs("usage: seccompile-learn --records-fd FD [--track NR:ARG]... [--timeout-ms MS] [--kill-after-ms MS]\n"
	      "                        -- PROGRAM [ARG]...\n",
	      stderr);
	exit(EXIT_FAILURE_OWN);
}

static long number_arg(const char *text, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	long timeout_ms = 0, kill_after_ms = 2000;
	struct child_ctx ctx;
	struct scn_buffers b;
	sigset_t mask;
	int pipefd[2], pidfd = -1, sigfd, listener, status, i, exit_code = EXIT_FAILURE_OWN;
	int child_done = 0, no_children = 0, hup = 0, timed_out = 0, killing = 0, orphans_signalled = 0, failed = 0;
	uint64_t started, deadline = 0, kill_deadline = 0, next_progress, last_kernel_signal[65] = { 0 };
	pid_t child;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("seccompile-learn protocol %d\n", PROTOCOL);
			return 0;
		} else if (strcmp(argv[i], "--records-fd") == 0 && i + 1 < argc) {
			records_fd = (int)number_arg(argv[++i], 0, INT_MAX);
		} else if (strcmp(argv[i], "--timeout-ms") == 0 && i + 1 < argc) {
			timeout_ms = number_arg(argv[++i], 1, LONG_MAX / 2);
		} else if (strcmp(argv[i], "--kill-after-ms") == 0 && i + 1 < argc) {
			kill_after_ms = number_arg(argv[++i], 0, LONG_MAX / 2);
		} else if (strcmp(argv[i], "--track") == 0 && i + 1 < argc) {
			int nr, arg, used = 0;
			if (seen.tracked_count == MAX_TRACKED || sscanf(argv[++i], "%d:%d%n", &nr, &arg, &used) != 2 ||
			    argv[i][used] != '\0' || nr < 0 || nr >= MAX_NR || arg < 0 || arg > 5)
				usage();
			seen.tracked[seen.tracked_count].nr = nr;
			seen.tracked[seen.tracked_count++].arg = arg;
		} else {
			usage();
		}
	}
	if (i >= argc || records_fd < 0)
		usage();
	if (fcntl(records_fd, F_SETFD, FD_CLOEXEC) < 0) {
		say("--records-fd %d: %s", records_fd, strerror(errno));
		return EXIT_FAILURE_OWN;
	}
	signal(SIGPIPE, SIG_IGN);
	out("{\"t\":\"hello\",\"protocol\":%d,\"pid\":%d}\n", PROTOCOL, (int)getpid());

	if (!kernel_at_least(5, 5)) {
		say("learn needs Linux 5.5 or later (SECCOMP_USER_NOTIF_FLAG_CONTINUE)");
		out("{\"t\":\"error\",\"message\":\"Linux 5.5 or later is needed\"}\n");
		out_flush();
		return EXIT_FAILURE_OWN;
	}
	ctx.path = find_program(argv[i]);
	if (ctx.path == NULL) {
		say("%s: command not found", argv[i]);
		out("{\"t\":\"error\",\"kind\":\"not-found\",\"message\":\"command not found\"}\n");
		out_flush();
		return EXIT_NOT_FOUND;
	}
	ctx.argv = argv + i;
	seen.tids = calloc(MAX_TID / 8, 1);
	seen.tgids = calloc(MAX_TID / 8, 1);
	if (seen.tids == NULL || seen.tgids == NULL || scn_alloc(&b) < 0) {
		say("cannot allocate the buffers (or no user notification in this kernel)");
		return EXIT_FAILURE_OWN;
	}

	/*
	 * Orphans of the command are re-parented to us, not to init: we reap them (a zombie keeps
	 * the filter in use) and can end them on --timeout.
	 */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_SET_PDEATHSIG, SIGTERM); /* the Node side went away: treated like a SIGTERM */

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	if (sigprocmask(SIG_BLOCK, &mask, &ctx.mask) < 0 || (sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0 ||
	    pipe2(pipefd, O_CLOEXEC) < 0) {
		say("setting up: %s", strerror(errno));
		return EXIT_FAILURE_OWN;
	}
	ctx.pipe_w = pipefd[1];
	ctx.parent = getpid();

	/* CLONE_FILES: the child's listener appears in our own table; CLONE_PIDFD: no pid races. */
	child = clone(child_main, child_stack + sizeof(child_stack), CLONE_FILES | CLONE_PIDFD | SIGCHLD, &ctx, &pidfd);
	if (child < 0) {
		say("clone: %s", strerror(errno));
		return EXIT_FAILURE_OWN;
	}
	started = now_ms();
	listener = handshake(pipefd[0], pidfd, &status);
	if (listener < 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, __WALL);
		out("{\"t\":\"error\",\"message\":\"the command could not be started under the filter\"}\n");
		out_flush();
		return status;
	}
	out("{\"t\":\"ready\",\"pid\":%d}\n", (int)child);
	if (timeout_ms > 0)
		deadline = started + (uint64_t)timeout_ms;
	next_progress = started + PROGRESS_MS;

	while (!hup && !(child_done && no_children)) {
		struct pollfd fds[2] = { { .fd = listener, .events = POLLIN }, { .fd = sigfd, .events = POLLIN } };
		uint64_t now = now_ms(), wake = next_progress;
		int r;

		if (now >= next_progress) {
			progress();
			out_flush();
			next_progress = now + PROGRESS_MS;
			wake = next_progress;
		}
		if (deadline != 0 && now >= deadline && !timed_out) {
			timed_out = 1;
			if (!child_done)
				kill(child, SIGTERM);
			kill_deadline = now + (uint64_t)kill_after_ms;
		}
		if (kill_deadline != 0 && now >= kill_deadline) {
			killing = 1;
			signal_children(child_done ? 0 : child, SIGKILL);
			kill_deadline = now + 100; /* again, for orphans re-parented meanwhile */
		}
		if (deadline != 0 && !timed_out && deadline < wake)
			wake = deadline;
		if (kill_deadline != 0 && kill_deadline < wake)
			wake = kill_deadline;
		r = poll(fds, 2, wake > now ? (int)(wake - now) : 0);
		if (r < 0 && errno != EINTR) {
			say("poll: %s", strerror(errno));
			failed = 1;
			break;
		}
		if (fds[0].revents & POLLIN) {
			r = scn_recv(listener, &b);
			if (r == 0) {
				record(listener, b.req);
				r = scn_respond_continue(listener, &b, b.req->id);
				if (r == -ENOENT)
					seen.interrupted++; /* killed, or interrupted by a signal: it comes again */
				else if (r == -EINVAL) {
					say("the kernel refused SECCOMP_USER_NOTIF_FLAG_CONTINUE (Linux 5.5 or later is needed)");
					failed = 1;
					break;
				}
			} else if (r != -ENOENT && r != -EINTR) {
				say("receiving a notification: %s", strerror(-r));
				failed = 1;
				break;
			}
		} else if (fds[0].revents & (POLLHUP | POLLERR)) {
			hup = 1; /* no task uses the filter any more (Linux 5.10 and later say so) */
		}
		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				int sig = (int)si.ssi_signo;

				if (sig == SIGCHLD)
					continue;
				if (si.ssi_code == SI_KERNEL) {
					/*
					 * From the terminal, to its foreground process group: the command has it
					 * too, unless it moved to a process group of its own.
					 */
					last_kernel_signal[sig] = now_ms();
					if (!child_done && getpgid(child) != getpgrp())
						kill(child, sig);
				} else if (now_ms() - last_kernel_signal[sig] < 500) {
					/* The same keystroke relayed by the Node side: already delivered. */
				} else if (!child_done) {
					kill(child, sig);
				}
				/* Once the command has exited, an interrupt ends what it left behind. */
				if (child_done && !killing) {
					signal_children(0, SIGTERM);
					if (kill_deadline == 0)
						kill_deadline = now_ms() + (uint64_t)kill_after_ms;
				}
			}
			/* Reap everything that has exited: the command, and adopted orphans. */
			no_children = reap(child, &child_done, &exit_code, WNOHANG);
			if (timed_out && child_done && !orphans_signalled) {
				/* What the command left behind gets the same SIGTERM, then SIGKILL at the deadline. */
				signal_children(0, SIGTERM);
				orphans_signalled = 1;
			}
		}
	}

	if (!child_done) {
		/*
		 * The filter has no users any more (the kernel may say so before we reaped the command),
		 * or we stopped on an error: then do not leave the command waiting for answers.
		 */
		if (!hup)
			signal_children(child, SIGKILL);
		while (!child_done && !reap(child, &child_done, &exit_code, 0))
			;
	}
	if (exit_code == EXIT_NOT_FOUND || exit_code == EXIT_CANNOT_EXEC) {
		struct msg m;
		/* A failed execve left a report in the pipe: the command never ran. */
		if (fcntl(pipefd[0], F_SETFL, O_NONBLOCK) == 0 && read_msg(pipefd[0], &m) == 0 && m.kind == MSG_EXEC_FAILED) {
			say("%s: %s", ctx.path, strerror(m.value));
			out("{\"t\":\"error\",\"kind\":\"exec\",\"message\":");
			out_string(strerror(m.value));
			out("}\n");
		}
	}
	if (timed_out)
		exit_code = EXIT_TIMEOUT;
	if (failed) {
		exit_code = EXIT_FAILURE_OWN;
		out("{\"t\":\"error\",\"kind\":\"helper\",\"message\":\"supervision failed\"}\n");
	}
	final_records();
	progress();
	out("{\"t\":\"done\",\"calls\":%llu,\"distinct\":%llu,\"processes\":%llu,\"threads\":%llu,\"interrupted\":%llu,"
	    "\"timed_out\":%s,\"elapsed_ms\":%llu,\"status\":%d}\n",
	    (unsigned long long)seen.calls, (unsigned long long)seen.distinct, (unsigned long long)seen.processes,
	    (unsigned long long)seen.threads, (unsigned long long)seen.interrupted, timed_out ? "true" : "false",
	    (unsigned long long)(now_ms() - started), exit_code);
	out_flush();
	scn_free(&b);
	return exit_code;
}
