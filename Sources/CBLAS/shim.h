// OpenBLAS's C interface. The include path comes from pkg-config (openblas.pc), which
// points at Debian's openblas-pthread variant; cblas.h there also declares
// openblas_set_num_threads / openblas_get_num_threads.
#include <cblas.h>
