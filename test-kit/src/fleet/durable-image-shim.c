/*
 * LD_PRELOAD shim for power-cut tests: keeps a "durable image" of the files under DURABLE_WATCH_DIR,
 * holding only what a disk would hold after a power cut (what was fsync'd/fdatasync'd), and
 * snapshots that image at the moment the process writes DURABLE_MARKER to a socket or pipe.
 *
 *   DURABLE_WATCH_DIR  files opened under this prefix are tracked (their "-shm" excepted: SQLite
 *                      rebuilds the WAL index from the WAL when it reopens a database alone)
 *   DURABLE_IMAGE_DIR  the durable image, same file names; the test seeds it with the files as
 *                      they are before the process starts (written and closed by earlier processes)
 *   DURABLE_SNAP_DIR   snapshot N goes to DIR/NNNNNN/: a copy of the image and wire.bin, the bytes
 *                      whose write triggered it
 *   DURABLE_MARKER     the bytes that trigger a snapshot (e.g. the acknowledgement topic)
 *
 * Model: write/pwrite/ftruncate on a tracked file are kept per inode in memory (the page cache);
 * fsync/fdatasync on any descriptor of that inode applies them, in order, to the image file. A
 * file appears in the image at its first sync (SQLite also syncs the directory of a new WAL);
 * unlink removes it at once. rename, mmap writes and O_APPEND are not modelled (SQLite in WAL mode
 * with mmap_size 0 uses none of them on these files).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FDS 4096
#define MAX_FILES 64

struct op {
  int truncate; /* 1: ftruncate to offset; 0: write data at offset */
  off_t offset;
  size_t len;
  char *data;
  struct op *next;
};

struct tracked_file {
  int used;
  dev_t dev;
  ino_t ino;
  char name[PATH_MAX]; /* relative to the watch dir */
  struct op *head, *tail;
};

static struct tracked_file files[MAX_FILES];
static struct tracked_file *fd_file[MAX_FDS];
static pthread_mutex_t lock;
static const char *watch_dir, *image_dir, *snap_dir, *marker;
static size_t watch_len, marker_len;
static unsigned snapshots;

static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_close)(int);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static ssize_t (*real_send)(int, const void *, size_t, int);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_ftruncate)(int, off_t);
static int (*real_ftruncate64)(int, off_t);
static int (*real_unlink)(const char *);

__attribute__((constructor)) static void init(void) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&lock, &attr);
  real_open = dlsym(RTLD_NEXT, "open");
  real_open64 = dlsym(RTLD_NEXT, "open64");
  real_openat = dlsym(RTLD_NEXT, "openat");
  real_close = dlsym(RTLD_NEXT, "close");
  real_write = dlsym(RTLD_NEXT, "write");
  real_writev = dlsym(RTLD_NEXT, "writev");
  real_pwrite = dlsym(RTLD_NEXT, "pwrite");
  real_pwrite64 = dlsym(RTLD_NEXT, "pwrite64");
  real_send = dlsym(RTLD_NEXT, "send");
  real_sendmsg = dlsym(RTLD_NEXT, "sendmsg");
  real_fsync = dlsym(RTLD_NEXT, "fsync");
  real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
  real_ftruncate = dlsym(RTLD_NEXT, "ftruncate");
  real_ftruncate64 = dlsym(RTLD_NEXT, "ftruncate64");
  real_unlink = dlsym(RTLD_NEXT, "unlink");
  watch_dir = getenv("DURABLE_WATCH_DIR");
  image_dir = getenv("DURABLE_IMAGE_DIR");
  snap_dir = getenv("DURABLE_SNAP_DIR");
  marker = getenv("DURABLE_MARKER");
  watch_len = watch_dir ? strlen(watch_dir) : 0;
  marker_len = marker ? strlen(marker) : 0;
}

/* The name relative to the watch dir, or NULL when the path is not tracked. */
static const char *tracked_name(const char *path) {
  if (!watch_dir || !image_dir || !path || strncmp(path, watch_dir, watch_len) != 0) return NULL;
  const char *rest = path + watch_len;
  while (*rest == '/') rest++;
  size_t n = strlen(rest);
  if (n == 0 || strchr(rest, '/') || (n > 4 && strcmp(rest + n - 4, "-shm") == 0)) return NULL;
  return rest;
}

static void image_path(char *out, const char *dir, const char *name) {
  snprintf(out, PATH_MAX, "%s/%s", dir, name);
}

static void free_ops(struct tracked_file *f) {
  for (struct op *o = f->head; o;) {
    struct op *next = o->next;
    free(o->data);
    free(o);
    o = next;
  }
  f->head = f->tail = NULL;
}

static void after_open(int fd, const char *path) {
  const char *name = tracked_name(path);
  if (fd < 0 || fd >= MAX_FDS || !name) return;
  struct stat st;
  if (fstat(fd, &st) != 0) return;
  pthread_mutex_lock(&lock);
  struct tracked_file *slot = NULL;
  for (int i = 0; i < MAX_FILES; i++) {
    if (files[i].used && files[i].dev == st.st_dev && files[i].ino == st.st_ino) {
      slot = &files[i];
      break;
    }
  }
  for (int i = 0; !slot && i < MAX_FILES; i++) {
    if (!files[i].used) {
      slot = &files[i];
      slot->used = 1;
      slot->dev = st.st_dev;
      slot->ino = st.st_ino;
      snprintf(slot->name, PATH_MAX, "%s", name);
    }
  }
  fd_file[fd] = slot;
  pthread_mutex_unlock(&lock);
}

static struct tracked_file *file_of(int fd) {
  return fd >= 0 && fd < MAX_FDS ? fd_file[fd] : NULL;
}

static void record(struct tracked_file *f, int truncate, off_t offset, const void *data, size_t len) {
  struct op *o = calloc(1, sizeof *o);
  o->truncate = truncate;
  o->offset = offset;
  o->len = len;
  if (len) {
    o->data = malloc(len);
    memcpy(o->data, data, len);
  }
  if (f->tail) f->tail->next = o;
  else f->head = o;
  f->tail = o;
}

static void apply(struct tracked_file *f) {
  char path[PATH_MAX];
  image_path(path, image_dir, f->name);
  int out = real_open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (out < 0) return;
  for (struct op *o = f->head; o; o = o->next) {
    if (o->truncate) real_ftruncate(out, o->offset);
    else real_pwrite(out, o->data, o->len, o->offset);
  }
  real_close(out);
  free_ops(f);
}

static void copy_file(const char *from, const char *to) {
  int in = real_open(from, O_RDONLY | O_CLOEXEC);
  if (in < 0) return;
  int out = real_open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  char buf[65536];
  ssize_t n;
  while (out >= 0 && (n = read(in, buf, sizeof buf)) > 0) real_write(out, buf, (size_t)n);
  real_close(in);
  if (out >= 0) real_close(out);
}

static void snapshot(const struct iovec *iov, int iovcnt) {
  char dir[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
  pthread_mutex_lock(&lock);
  snprintf(dir, PATH_MAX, "%s/%06u", snap_dir, snapshots++);
  mkdir(dir, 0700);
  DIR *d = opendir(image_dir);
  for (struct dirent *e; d && (e = readdir(d));) {
    if (e->d_name[0] == '.') continue;
    image_path(from, image_dir, e->d_name);
    image_path(to, dir, e->d_name);
    copy_file(from, to);
  }
  if (d) closedir(d);
  image_path(to, dir, "wire.bin");
  int wire = real_open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  for (int i = 0; wire >= 0 && i < iovcnt; i++) real_write(wire, iov[i].iov_base, iov[i].iov_len);
  if (wire >= 0) real_close(wire);
  pthread_mutex_unlock(&lock);
}

/* Snapshots the image when these outgoing bytes (to anything but a tracked file) carry the marker. */
static void outgoing(int fd, const struct iovec *iov, int iovcnt) {
  if (!marker_len || !snap_dir || file_of(fd)) return;
  size_t total = 0;
  for (int i = 0; i < iovcnt; i++) total += iov[i].iov_len;
  if (total < marker_len) return;
  char *all = malloc(total);
  size_t at = 0;
  for (int i = 0; i < iovcnt; i++) {
    memcpy(all + at, iov[i].iov_base, iov[i].iov_len);
    at += iov[i].iov_len;
  }
  int hit = memmem(all, total, marker, marker_len) != NULL;
  free(all);
  if (hit) snapshot(iov, iovcnt);
}

static int open_common(int (*real)(const char *, int, ...), const char *path, int flags, mode_t mode) {
  int fd = real(path, flags, mode);
  after_open(fd, path);
  struct tracked_file *f = file_of(fd);
  if (f && (flags & O_TRUNC)) {
    pthread_mutex_lock(&lock);
    record(f, 1, 0, NULL, 0);
    pthread_mutex_unlock(&lock);
  }
  return fd;
}

int open(const char *path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = va_arg(ap, mode_t);
    va_end(ap);
  }
  return open_common(real_open, path, flags, mode);
}

int open64(const char *path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = va_arg(ap, mode_t);
    va_end(ap);
  }
  return open_common(real_open64, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = va_arg(ap, mode_t);
    va_end(ap);
  }
  int fd = real_openat(dirfd, path, flags, mode);
  if (path[0] == '/') after_open(fd, path);
  return fd;
}

int close(int fd) {
  if (fd >= 0 && fd < MAX_FDS) {
    pthread_mutex_lock(&lock);
    fd_file[fd] = NULL;
    pthread_mutex_unlock(&lock);
  }
  return real_close(fd);
}

ssize_t write(int fd, const void *buf, size_t len) {
  struct tracked_file *f = file_of(fd);
  if (!f) {
    struct iovec iov = {(void *)buf, len};
    outgoing(fd, &iov, 1);
    return real_write(fd, buf, len);
  }
  pthread_mutex_lock(&lock);
  off_t at = lseek(fd, 0, SEEK_CUR);
  ssize_t n = real_write(fd, buf, len);
  if (n > 0) record(f, 0, at, buf, (size_t)n);
  pthread_mutex_unlock(&lock);
  return n;
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
  outgoing(fd, iov, iovcnt);
  return real_writev(fd, iov, iovcnt);
}

ssize_t send(int fd, const void *buf, size_t len, int flags) {
  struct iovec iov = {(void *)buf, len};
  outgoing(fd, &iov, 1);
  return real_send(fd, buf, len, flags);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags) {
  outgoing(fd, msg->msg_iov, (int)msg->msg_iovlen);
  return real_sendmsg(fd, msg, flags);
}

static ssize_t pwrite_common(ssize_t (*real)(int, const void *, size_t, off_t), int fd, const void *buf,
                             size_t len, off_t offset) {
  struct tracked_file *f = file_of(fd);
  if (!f) return real(fd, buf, len, offset);
  pthread_mutex_lock(&lock);
  ssize_t n = real(fd, buf, len, offset);
  if (n > 0) record(f, 0, offset, buf, (size_t)n);
  pthread_mutex_unlock(&lock);
  return n;
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t offset) {
  return pwrite_common(real_pwrite, fd, buf, len, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off_t offset) {
  return pwrite_common(real_pwrite64, fd, buf, len, offset);
}

static int truncate_common(int (*real)(int, off_t), int fd, off_t length) {
  struct tracked_file *f = file_of(fd);
  if (!f) return real(fd, length);
  pthread_mutex_lock(&lock);
  int r = real(fd, length);
  if (r == 0) record(f, 1, length, NULL, 0);
  pthread_mutex_unlock(&lock);
  return r;
}

int ftruncate(int fd, off_t length) { return truncate_common(real_ftruncate, fd, length); }

int ftruncate64(int fd, off_t length) { return truncate_common(real_ftruncate64, fd, length); }

static int sync_common(int (*real)(int), int fd) {
  int r = real(fd);
  struct tracked_file *f = file_of(fd);
  if (r == 0 && f) {
    pthread_mutex_lock(&lock);
    apply(f);
    pthread_mutex_unlock(&lock);
  }
  return r;
}

int fsync(int fd) { return sync_common(real_fsync, fd); }

int fdatasync(int fd) { return sync_common(real_fdatasync, fd); }

int unlink(const char *path) {
  int r = real_unlink(path);
  const char *name = tracked_name(path);
  if (r == 0 && name) {
    char gone[PATH_MAX];
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_FILES; i++) {
      if (!files[i].used || strcmp(files[i].name, name) != 0) continue;
      for (int fd = 0; fd < MAX_FDS; fd++)
        if (fd_file[fd] == &files[i]) fd_file[fd] = NULL;
      free_ops(&files[i]);
      files[i].used = 0;
    }
    image_path(gone, image_dir, name);
    real_unlink(gone);
    pthread_mutex_unlock(&lock);
  }
  return r;
}
