/* shim */
#include <microhttpd.h>
