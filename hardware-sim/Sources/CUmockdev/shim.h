#include <umockdev.h>
#include <glib-unix.h>
