/*
 * warmpool's fork handlers: the C half of fork safety.
 *
 *   parent thread            fork()                      child (only the forking thread survives)
 *   -------------            ------                      -----------------------------------------
 *   wp_register_fd(fd, path)  prepare: lock registry      child handler, async-signal-safe only:
 *                             ... kernel copies ...         state.pid = getpid()
 *                             parent: unlock registry       for each registered fd:
 *                                                             new = open(path, flags | O_CLOEXEC)
 *                                                             dup3(new, fd, cloexec ? O_CLOEXEC : 0)
 *                                                             close(new)
 *                                                           (open failed: dup3 /dev/null over fd,
 *                                                            so later use fails instead of reading
 *                                                            the parent; remember the errno)
 *                                                           state.generation++   (last: whoever sees
 *                                                            the new generation finds fds reopened)
 *                                                           unlock registry
 *
 * Java never runs in a fork handler (a JNA callback in a forked JVM child can deadlock: the VM thread
 * is gone). Java reads `state` with plain loads from this library's memory: no system call.
 * glibc 2.36 does not export pthread_atfork to dlsym, which is why this library registers them.
 *
 * The registry: entries[0, count) are the registered descriptors, packed (an unregister moves the
 * last entry into the hole).
 *
 *   entries ──> initial[64] (static)          first 64 descriptors: no allocation at all
 *          └──> mmap'd table of 128, 256, ...  grown by wp_register_fd, under the registry lock:
 *                                              mmap a table twice the size, copy, switch, munmap the
 *                                              old one (never the static one)
 *   capacity at most WP_MAX_FDS (fs.nr_open's default: the most descriptors a process can have), then
 *   -ENOSPC; a failed mmap is its -errno (ENOMEM).
 *
 * Only the registering side (a parent thread, holding the lock) allocates, with mmap, never malloc.
 * The child handler runs with the lock that prepare() took, so it reads a table no one is switching,
 * and allocates nothing: open, dup3, close and getpid are async-signal-safe.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WP_INITIAL_FDS 64
#define WP_MAX_FDS (1 << 20)
#define WP_PATH_MAX 256

struct wp_fork_state {
    volatile uint64_t generation;    /* forks in this process's line since the library loaded */
    volatile int64_t pid;            /* the pid of this process, as the handlers last recorded it */
    volatile uint64_t reopen_failures;
    volatile uint64_t reopened;
};

struct wp_entry {
    int fd;
    int flags;
    int cloexec;
    int reopen_errno;
    char path[WP_PATH_MAX];
};

static struct wp_fork_state state;
static struct wp_entry initial[WP_INITIAL_FDS];
static struct wp_entry *entries = initial;
static size_t capacity = WP_INITIAL_FDS;
static size_t count;
/* The most entries the table may grow to; lowered only by wp_test_set_registry_limit. */
static size_t limit = WP_MAX_FDS;
static pthread_mutex_t registry = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int install_result = -1;

static void prepare(void) { pthread_mutex_lock(&registry); }

static void parent(void) { pthread_mutex_unlock(&registry); }

static void point_at(struct wp_entry *e, int replacement) {
    if (replacement != e->fd) {
        dup3(replacement, e->fd, e->cloexec ? O_CLOEXEC : 0);
        close(replacement);
    }
}

static void child(void) {
    int saved_errno = errno; /* fork() returned 0; leave its caller the errno it had */
    state.pid = (int64_t) syscall(SYS_getpid);
    for (size_t i = 0; i < count; i++) {
        struct wp_entry *e = &entries[i];
        int fresh = open(e->path, e->flags | O_CLOEXEC);
        if (fresh >= 0) {
            point_at(e, fresh);
            e->reopen_errno = 0;
            state.reopened++;
        } else {
            e->reopen_errno = errno;
            state.reopen_failures++;
            int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (devnull >= 0) {
                point_at(e, devnull);
            }
        }
    }
    __atomic_add_fetch(&state.generation, 1, __ATOMIC_SEQ_CST);
    /* The forking thread took the lock in prepare(); a default mutex has no owner check. */
    pthread_mutex_unlock(&registry);
    errno = saved_errno;
}

static void install_once(void) {
    state.pid = (int64_t) getpid();
    install_result = pthread_atfork(prepare, parent, child);
}

/* Registers the handlers, once per process. Returns 0, or the error of pthread_atfork. */
int wp_atfork_install(void) {
    pthread_once(&once, install_once);
    return install_result;
}

/* The state the handlers keep; Java reads it without a system call. */
const struct wp_fork_state *wp_fork_state(void) { return &state; }

/* The index of fd's entry, or -1. Under the lock. */
static long find_locked(int fd) {
    for (size_t i = 0; i < count; i++) {
        if (entries[i].fd == fd) {
            return (long) i;
        }
    }
    return -1;
}

/* Makes room for one more entry: 0, -ENOSPC at the limit, or mmap's -errno. Under the lock. */
static int reserve_locked(void) {
    if (count < capacity) {
        return 0;
    }
    if (capacity >= limit) {
        return -ENOSPC;
    }
    size_t bigger = capacity * 2 < limit ? capacity * 2 : limit;
    void *table = mmap(NULL, bigger * sizeof(struct wp_entry), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (table == MAP_FAILED) {
        return -errno;
    }
    memcpy(table, entries, count * sizeof(struct wp_entry));
    struct wp_entry *old = entries;
    size_t old_capacity = capacity;
    entries = table;
    capacity = bigger;
    if (old != initial) {
        munmap(old, old_capacity * sizeof(struct wp_entry));
    }
    return 0;
}

/* Registers fd to be reopened from path in a forked child. 0, or a negative errno: -EINVAL bad fd or
 * path, -ENAMETOOLONG path too long, -EEXIST fd already registered, -ENOSPC WP_MAX_FDS registered,
 * -ENOMEM (mmap's errno) when the table cannot grow. */
int wp_register_fd(int fd, const char *path, int flags, int cloexec) {
    if (fd < 0 || path == NULL || path[0] != '/') {
        return -EINVAL;
    }
    if (strlen(path) >= WP_PATH_MAX) {
        return -ENAMETOOLONG;
    }
    pthread_mutex_lock(&registry);
    if (find_locked(fd) >= 0) {
        pthread_mutex_unlock(&registry);
        return -EEXIST;
    }
    int room = reserve_locked();
    if (room != 0) {
        pthread_mutex_unlock(&registry);
        return room;
    }
    struct wp_entry *e = &entries[count];
    e->fd = fd;
    e->flags = flags & ~O_CLOEXEC;
    e->cloexec = cloexec != 0;
    e->reopen_errno = 0;
    strcpy(e->path, path);
    count++;
    pthread_mutex_unlock(&registry);
    return 0;
}

/* Forgets fd. 0, or -ENOENT when it was not registered. The table keeps its size. */
int wp_unregister_fd(int fd) {
    int result = -ENOENT;
    pthread_mutex_lock(&registry);
    long i = find_locked(fd);
    if (i >= 0) {
        count--;
        if ((size_t) i != count) {
            entries[i] = entries[count];
        }
        result = 0;
    }
    pthread_mutex_unlock(&registry);
    return result;
}

/* The errno of the last failed reopen of fd in this process (0: reopened, or never forked);
 * -ENOENT when fd is not registered. */
int wp_reopen_errno(int fd) {
    pthread_mutex_lock(&registry);
    long i = find_locked(fd);
    int result = i >= 0 ? entries[i].reopen_errno : -ENOENT;
    pthread_mutex_unlock(&registry);
    return result;
}

/* How many descriptors are registered. */
int wp_registered_fds(void) {
    pthread_mutex_lock(&registry);
    int result = (int) count;
    pthread_mutex_unlock(&registry);
    return result;
}

/* FOR TESTS ONLY: the most entries the table may grow to (from WP_INITIAL_FDS to WP_MAX_FDS; 0 restores
 * WP_MAX_FDS), so that a test reaches -ENOSPC without a million descriptors. Returns the previous one,
 * or -EINVAL. */
int wp_test_set_registry_limit(int most) {
    if (most != 0 && (most < WP_INITIAL_FDS || most > WP_MAX_FDS)) {
        return -EINVAL;
    }
    pthread_mutex_lock(&registry);
    int previous = (int) limit;
    limit = most == 0 ? WP_MAX_FDS : (size_t) most;
    pthread_mutex_unlock(&registry);
    return previous;
}

/* FOR TESTS ONLY: a fork that bypasses pthread_atfork (raw clone), as clone() or syscall(SYS_fork)
 * in other code would. Returns the child's pid in the parent, 0 in the child, -errno on failure. */
int wp_test_fork_without_handlers(void) {
    long pid = syscall(SYS_clone, (long) SIGCHLD, 0L, 0L, 0L, 0L);
    return pid < 0 ? -errno : (int) pid;
}
