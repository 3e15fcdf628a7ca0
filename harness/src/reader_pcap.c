/* placeholder: being written */
#include "reader_impl.h"
static int ph_open(oh_reader *r, oh_error *err) { return oh_fail(err, OH_ERR_UNSUPPORTED, OH_NO_OFFSET, "pcap reader not written yet"); }
static int ph_next(oh_reader *r, oh_record *rec, oh_error *err) { return 0; }
static void ph_close(oh_reader *r) {}
const oh_reader_ops oh_reader_ops_pcap = { ph_open, ph_next, ph_close };
