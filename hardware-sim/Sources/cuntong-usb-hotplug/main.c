/*
 * cuntong-usb-hotplug: run a command beside an emulated USB device that can be unplugged and
 * plugged back while the command runs.
 *
 *   cuntong-usb-hotplug DEVICE.umockdev SYSFS CAPTURE.pcap CONTROL-FIFO -- COMMAND ARGS...
 *
 * Like `umockdev-run --device DEVICE --pcap SYSFS=CAPTURE -- COMMAND`, but the umockdev testbed
 * stays in this process, so lines written to CONTROL-FIFO change the device:
 *
 *   unplug                      the devices' remove uevents (children first), then their sysfs
 *                               and nodes go, as the kernel does
 *   plug DEVICE.umockdev PCAP   a device comes back: sysfs, node, the usbmon capture to replay,
 *                               add uevents (parents first). Give it a new bus address and node
 *                               names, as the kernel would.
 *
 * libusb sees these through its udev monitor, as it sees a real scanner pulled and put back.
 * This process runs under umockdev's preload itself (its uevents go through libudev, which must
 * see the emulated /sys): it re-executes itself so when started without it. Signals TERM, INT
 * and HUP are passed to the command; its exit status is this program's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>
#include <umockdev.h>

static GMainLoop *loop;
static UMockdevTestbed *testbed;
static const char *sysfs;
static int exit_status = 1;
static GPid child;
/* The current device's sysfs paths (longest first: children before parents) and node names. */
static GPtrArray *paths, *nodes;

static gint longest_first(gconstpointer a, gconstpointer b)
{
    return (gint)strlen(*(char *const *)b) - (gint)strlen(*(char *const *)a);
}

static gboolean plug(const char *description_file, const char *pcap)
{
    GError *error = NULL;
    gchar *description = NULL;
    if (!g_file_get_contents(description_file, &description, NULL, &error)) {
        fprintf(stderr, "cuntong-usb-hotplug: %s\n", error->message);
        return FALSE;
    }
    g_ptr_array_set_size(paths, 0);
    g_ptr_array_set_size(nodes, 0);
    gchar **lines = g_strsplit(description, "\n", -1);
    for (gchar **l = lines; *l; l++) {
        if (g_str_has_prefix(*l, "P: "))
            g_ptr_array_add(paths, g_strconcat("/sys", *l + 3, NULL));
        if (g_str_has_prefix(*l, "N: "))
            g_ptr_array_add(nodes, g_strdup(*l + 3));
    }
    g_strfreev(lines);
    g_ptr_array_sort(paths, longest_first);
    /* The device node is hidden while its USB traffic is loaded: a program that finds the
     * device in between (libusb enumerating sysfs) would open a node with no ioctl socket
     * behind it yet, and umockdev's preload ends such a program (exit 1). A real device is
     * whole when it appears; so is this one. */
    gboolean ok = umockdev_testbed_add_from_string(testbed, description, &error);
    for (guint i = 0; ok && i < nodes->len; i++) {
        gchar *node = g_build_filename(umockdev_testbed_get_root_dir(testbed), "dev", g_ptr_array_index(nodes, i), NULL);
        gchar *hidden = g_strconcat(node, ".plugging", NULL);
        rename(node, hidden);
        g_free(node);
        g_free(hidden);
    }
    ok = ok && umockdev_testbed_load_pcap(testbed, sysfs, pcap, &error);
    for (guint i = 0; i < nodes->len; i++) {
        gchar *node = g_build_filename(umockdev_testbed_get_root_dir(testbed), "dev", g_ptr_array_index(nodes, i), NULL);
        gchar *hidden = g_strconcat(node, ".plugging", NULL);
        rename(hidden, node);
        g_free(node);
        g_free(hidden);
    }
    if (!ok)
        fprintf(stderr, "cuntong-usb-hotplug: %s\n", error->message);
    g_free(description);
    return ok;
}

static void unplug(void)
{
    for (guint i = 0; i < paths->len; i++)
        umockdev_testbed_uevent(testbed, g_ptr_array_index(paths, i), "remove");
    for (guint i = 0; i < paths->len; i++)
        umockdev_testbed_remove_device(testbed, g_ptr_array_index(paths, i));
    /* The nodes stay behind otherwise. */
    for (guint i = 0; i < nodes->len; i++) {
        gchar *node = g_build_filename(umockdev_testbed_get_root_dir(testbed), "dev", g_ptr_array_index(nodes, i), NULL);
        unlink(node);
        g_free(node);
    }
}

static gboolean on_control(gint fd, GIOCondition condition, gpointer data)
{
    char buffer[8192];
    ssize_t n = read(fd, buffer, sizeof buffer - 1);
    if (n <= 0)
        return G_SOURCE_CONTINUE;
    buffer[n] = 0;
    gchar **lines = g_strsplit(buffer, "\n", -1);
    for (gchar **l = lines; *l; l++) {
        gchar **words = g_strsplit(g_strstrip(*l), " ", -1);
        if (g_strcmp0(words[0], "unplug") == 0) {
            unplug();
            fprintf(stderr, "cuntong-usb-hotplug: unplugged %s\n", sysfs);
        } else if (g_strcmp0(words[0], "plug") == 0 && words[1] && words[2]) {
            if (plug(words[1], words[2])) {
                for (gint i = (gint)paths->len - 1; i >= 0; i--)
                    umockdev_testbed_uevent(testbed, g_ptr_array_index(paths, i), "add");
                fprintf(stderr, "cuntong-usb-hotplug: plugged %s\n", sysfs);
            }
        } else if (words[0] && words[0][0]) {
            fprintf(stderr, "cuntong-usb-hotplug: unknown command '%s' (unplug, plug DEVICE PCAP)\n", words[0]);
        }
        g_strfreev(words);
    }
    g_strfreev(lines);
    return G_SOURCE_CONTINUE;
}

static void child_exited(GPid pid, gint status, gpointer data)
{
    exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    g_main_loop_quit(loop);
}

static gboolean forward(gpointer signal_number)
{
    kill(child, GPOINTER_TO_INT(signal_number));
    return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
    if (argc < 7 || strcmp(argv[5], "--") != 0) {
        fprintf(stderr, "usage: cuntong-usb-hotplug DEVICE.umockdev SYSFS CAPTURE.pcap CONTROL-FIFO -- COMMAND ARGS...\n");
        return 2;
    }
    const char *preload = getenv("LD_PRELOAD");
    if (!preload || !strstr(preload, "libumockdev-preload")) {
        gchar *value = preload && *preload ? g_strconcat("libumockdev-preload.so.0:", preload, NULL) : g_strdup("libumockdev-preload.so.0");
        setenv("LD_PRELOAD", value, 1);
        execv("/proc/self/exe", argv);
        fprintf(stderr, "cuntong-usb-hotplug: cannot re-execute under umockdev's preload: %s\n", strerror(errno));
        return 2;
    }
    sysfs = argv[2];
    paths = g_ptr_array_new_with_free_func(g_free);
    nodes = g_ptr_array_new_with_free_func(g_free);
    testbed = umockdev_testbed_new();
    if (!plug(argv[1], argv[3]))
        return 2;
    if (mkfifo(argv[4], 0600) != 0 && errno != EEXIST) {
        fprintf(stderr, "cuntong-usb-hotplug: cannot make %s: %s\n", argv[4], strerror(errno));
        return 2;
    }
    /* Read and write, so that the FIFO never reads as closed between writers. */
    int control = open(argv[4], O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (control < 0) {
        fprintf(stderr, "cuntong-usb-hotplug: cannot open %s: %s\n", argv[4], strerror(errno));
        return 2;
    }
    loop = g_main_loop_new(NULL, FALSE);
    g_unix_fd_add(control, G_IO_IN, on_control, NULL);
    GError *error = NULL;
    /* The capture is replayed from sources on GLib's default main context: the loop below runs them. */
    if (!g_spawn_async(NULL, argv + 6, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, NULL, NULL, &child, &error)) {
        fprintf(stderr, "cuntong-usb-hotplug: cannot run %s: %s\n", argv[6], error->message);
        return 2;
    }
    g_child_watch_add(child, child_exited, NULL);
    g_unix_signal_add(SIGTERM, forward, GINT_TO_POINTER(SIGTERM));
    g_unix_signal_add(SIGINT, forward, GINT_TO_POINTER(SIGINT));
    g_unix_signal_add(SIGHUP, forward, GINT_TO_POINTER(SIGHUP));
    g_main_loop_run(loop);
    return exit_status;
}
